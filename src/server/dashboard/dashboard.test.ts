import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { authPlugin, type Role } from '../auth.js';
import { errorsPlugin } from '../errors.js';
import { SseHub } from '../sse.js';
import { TestOrchestrator } from '../test-orchestrator.js';
import { testStackSpec, waitFor } from '../test-app.js';
import { openSse } from '../test-sse.js';
import type { StoredEvent } from '../../store/index.js';
import { assetRoutes } from './assets.js';
import { DashboardSessions, LoginThrottle, StackFeed, dashboardPlugin, type FeedMessage } from './index.js';

const TOKENS: Record<string, Role> = { 'viewer-tok': 'viewer', 'operator-tok': 'operator', 'admin-tok': 'admin' };
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const CSRF = { 'x-tutti-request': '1' };

let web: string | undefined;
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  if (web) rmSync(web, { recursive: true, force: true });
  web = undefined;
});

function webRoot(): string {
  web = mkdtempSync(path.join(os.tmpdir(), 'tutti-web-'));
  mkdirSync(path.join(web, 'assets'));
  writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>tutti</title><script type="module" src="/assets/app-Ab12.js"></script>');
  const js = 'console.log("tutti dashboard");'.repeat(20);
  writeFileSync(path.join(web, 'assets', 'app-Ab12.js'), js);
  writeFileSync(path.join(web, 'assets', 'app-Ab12.js.gz'), gzipSync(js));
  return web;
}

async function build(opts: { withWeb?: boolean; history?: StoredEvent[]; listen?: boolean; loginThrottle?: LoginThrottle } = {}) {
  const orchestrator = new TestOrchestrator();
  await orchestrator.apply(testStackSpec());
  const sessions = new DashboardSessions();
  const sse = new SseHub();
  const a = Fastify({ logger: false });
  a.addHook('preClose', async () => sse.closeAll());
  await a.register(errorsPlugin);
  await a.register(authPlugin, { tokens: TOKENS, sessions });
  const history = opts.history ?? [];
  const events = { list: async (q: { sinceId?: number; limit?: number } = {}) => (q.sinceId !== undefined ? history.filter((e) => e.id > q.sinceId!) : history).slice(-(q.limit ?? 1000)) };
  await a.register(dashboardPlugin, {
    orchestrator,
    sse,
    sessions,
    tokens: TOKENS,
    history: events,
    webRoot: opts.withWeb === false ? false : webRoot(),
    feedTickMs: 20,
    ...(opts.loginThrottle && { loginThrottle: opts.loginThrottle }),
  });
  app = a;
  let url = '';
  if (opts.listen) {
    await a.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(a.server.address() as AddressInfo).port}`;
  } else await a.ready();
  return { app: a, orchestrator, sessions, history, url };
}

/** The session cookie a response set, as a Cookie header. */
function cookieOf(res: { headers: Record<string, unknown> }): string {
  const set = String(res.headers['set-cookie']);
  return set.split(';')[0];
}

describe('dashboard pages', () => {
  it('serves the app for its pages without a credential, with a strict CSP and no caching', async () => {
    const { app } = await build({ withWeb: true });
    for (const url of ['/', '/services/orders', '/runs/r-1', '/logs']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('/assets/app-Ab12.js');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('caches hashed assets for good and sends them gzipped when asked', async () => {
    const { app } = await build({ withWeb: true });
    const res = await app.inject({ url: '/assets/app-Ab12.js', headers: { 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['vary']).toContain('accept-encoding');
    const plain = await app.inject({ url: '/assets/app-Ab12.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toContain('tutti dashboard');
  });

  it('keeps the API closed: unknown paths and API routes still need a credential', async () => {
    const { app } = await build({ withWeb: true });
    expect((await app.inject({ url: '/no-such-page' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/stack' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/assets/../index.html' })).statusCode).not.toBe(200);
  });

  it('says plainly when the dashboard was not built', async () => {
    const { app } = await build({ withWeb: false });
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'TUTTI_E_UNAVAILABLE', message: expect.stringContaining('not built') });
  });
});

describe('logging in with a one-time code', () => {
  it('exchanges the code for an HttpOnly SameSite=Strict cookie and redirects to / without the code', async () => {
    const { app } = await build();
    const issued = await app.inject({ method: 'POST', url: '/api/v1/dashboard/login-codes', headers: bearer('admin-tok') });
    expect(issued.statusCode).toBe(201);
    const { code, path: loginPath, expiresAt } = issued.json();
    expect(loginPath).toBe(`/login?code=${code}`);
    expect(expiresAt).toBeGreaterThan(Date.now());

    const login = await app.inject({ url: loginPath });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/');
    const set = String(login.headers['set-cookie']);
    expect(set).toMatch(/^tutti_session=[\w-]{40,};/);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect(set).toContain('Path=/');
    expect(set).not.toContain(code);

    const cookie = cookieOf(login);
    const stack = await app.inject({ url: '/api/v1/stack/events', headers: { cookie } });
    expect(stack.statusCode).toBe(200);
    const who = await app.inject({ url: '/api/v1/dashboard/session', headers: { cookie } });
    expect(who.json()).toEqual({ role: 'admin', via: 'session' });
  });

  it('works once', async () => {
    const { app } = await build();
    const { path: loginPath } = (await app.inject({ method: 'POST', url: '/api/v1/dashboard/login-codes', headers: bearer('operator-tok') })).json();
    expect((await app.inject({ url: loginPath })).headers.location).toBe('/');
    const again = await app.inject({ url: loginPath });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/login?expired=1');
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('is given only to operators and admins, and carries their role', async () => {
    const { app } = await build();
    expect((await app.inject({ method: 'POST', url: '/api/v1/dashboard/login-codes', headers: bearer('viewer-tok') })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/v1/dashboard/login-codes' })).statusCode).toBe(401);
    const { path: loginPath } = (await app.inject({ method: 'POST', url: '/api/v1/dashboard/login-codes', headers: bearer('operator-tok') })).json();
    const cookie = cookieOf(await app.inject({ url: loginPath }));
    expect((await app.inject({ url: '/api/v1/dashboard/session', headers: { cookie } })).json().role).toBe('operator');
  });
});

describe('logging in with the token form', () => {
  it('refuses a wrong token and a request without the dashboard header', async () => {
    const { app } = await build();
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/dashboard/session', headers: CSRF, payload: { token: 'nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const forged = await app.inject({ method: 'POST', url: '/api/v1/dashboard/session', payload: { token: 'admin-tok' } });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().message).toContain('X-Tutti-Request');
  });

  it("gives the session the token's role: a viewer reads but cannot act", async () => {
    const { app, orchestrator } = await build();
    const login = await app.inject({ method: 'POST', url: '/api/v1/dashboard/session', headers: CSRF, payload: { token: 'viewer-tok' } });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toMatchObject({ role: 'viewer' });
    expect(login.body).not.toContain('viewer-tok');
    const cookie = cookieOf(login);
    const restart = await app.inject({ method: 'POST', url: '/api/v1/dashboard/login-codes', headers: { cookie, ...CSRF } });
    expect(restart.statusCode).toBe(403);
    expect(restart.json().message).toContain('needs the operator role');
    expect(orchestrator.calls.filter((c) => c.method !== 'apply')).toEqual([]);
  });

  it('needs the dashboard header for a write made with the cookie (CSRF)', async () => {
    const { app } = await build();
    const cookie = cookieOf(await app.inject({ method: 'POST', url: '/api/v1/dashboard/session', headers: CSRF, payload: { token: 'operator-tok' } }));
    const forged = await app.inject({ method: 'POST', url: '/api/v1/dashboard/login-codes', headers: { cookie } });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().code).toBe('TUTTI_E_FORBIDDEN');
    const sent = await app.inject({ method: 'POST', url: '/api/v1/dashboard/login-codes', headers: { cookie, ...CSRF } });
    expect(sent.statusCode).toBe(201);
  });

  it('lets a bearer token decide alone: a bad one is refused even beside a good cookie', async () => {
    const { app } = await build();
    const cookie = cookieOf(await app.inject({ method: 'POST', url: '/api/v1/dashboard/session', headers: CSRF, payload: { token: 'admin-tok' } }));
    const res = await app.inject({ url: '/api/v1/dashboard/session', headers: { cookie, ...bearer('bad') } });
    expect(res.statusCode).toBe(401);
    const viaBearer = await app.inject({ url: '/api/v1/dashboard/session', headers: bearer('viewer-tok') });
    expect(viaBearer.json()).toEqual({ role: 'viewer', via: 'bearer' });
  });

  it('logs out: the session ends on the daemon and the cookie is cleared', async () => {
    const { app } = await build();
    const cookie = cookieOf(await app.inject({ method: 'POST', url: '/api/v1/dashboard/session', headers: CSRF, payload: { token: 'admin-tok' } }));
    const out = await app.inject({ method: 'DELETE', url: '/api/v1/dashboard/session', headers: { cookie, ...CSRF } });
    expect(out.json()).toEqual({ ended: true });
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    expect((await app.inject({ url: '/api/v1/dashboard/session', headers: { cookie } })).statusCode).toBe(401);
  });

  it('ignores a cookie the daemon never issued', async () => {
    const { app } = await build();
    expect((await app.inject({ url: '/api/v1/stack/events', headers: { cookie: 'tutti_session=made-up' } })).statusCode).toBe(401);
  });
});

describe('the stack feed', () => {
  const event = (id: number, kind: string): StoredEvent => ({ id, time: 1000 + id, kind, service: 'orders', message: `${kind} ${id}` });

  it('lists the history, newest last, filtered by kind', async () => {
    const { app } = await build({ history: [event(1, 'instance.started'), event(2, 'alert.firing'), event(3, 'operation.restart'), event(4, 'alert.resolved')] });
    const all = (await app.inject({ url: '/api/v1/stack/events?limit=2', headers: bearer('viewer-tok') })).json();
    expect(all.events.map((e: StoredEvent) => e.id)).toEqual([3, 4]);
    const alerts = (await app.inject({ url: '/api/v1/stack/events?kind=alert.', headers: bearer('viewer-tok') })).json();
    expect(alerts.events.map((e: StoredEvent) => e.kind)).toEqual(['alert.firing', 'alert.resolved']);
    const after = (await app.inject({ url: '/api/v1/stack/events?after=2', headers: bearer('viewer-tok') })).json();
    expect(after.events.map((e: StoredEvent) => e.id)).toEqual([3, 4]);
  });

  it('streams the current state first, then what changes', async () => {
    const { orchestrator, history, url } = await build({ listen: true, history: [event(1, 'instance.started')] });
    const conn = await openSse(`${url}/api/v1/stack/watch`, bearer('viewer-tok'));
    try {
      const first = await conn.waitForEvents(3);
      expect(first.slice(0, 3).map((e) => e.event)).toEqual(['stack', 'alerts', 'events']);
      expect(JSON.parse(first[0].data).services.map((s: { name: string }) => s.name)).toEqual(['catalog', 'inventory', 'orders']);
      expect(JSON.parse(first[2].data).events).toHaveLength(1);

      history.push(event(2, 'operation.stop'));
      orchestrator.stack!.services[2].state = 'stopped';
      await waitFor(() => conn.events.some((e) => e.event === 'event') && conn.events.filter((e) => e.event === 'stack').length === 2, 'the change');
      const last = conn.events.filter((e) => e.event === 'stack').at(-1)!;
      expect(JSON.parse(last.data).services[2].state).toBe('stopped');
      expect(JSON.parse(conn.events.find((e) => e.event === 'event')!.data).kind).toBe('operation.stop');
    } finally {
      conn.close();
    }
  });
});

describe('DashboardSessions', () => {
  it('expires codes and sessions, and forgets the oldest when full', () => {
    let now = 0;
    const s = new DashboardSessions({ codeTtlMs: 100, sessionTtlMs: 1000, maxSessions: 2, now: () => now });
    const { code } = s.issueCode('operator');
    now = 100;
    expect(s.redeemCode(code)).toBeUndefined();
    const a = s.create('viewer');
    const b = s.create('admin');
    expect([s.role(a.id), s.role(b.id)]).toEqual(['viewer', 'admin']);
    const c = s.create('operator');
    expect(s.role(a.id)).toBeUndefined();
    expect(s.role(c.id)).toBe('operator');
    now = 1100;
    expect(s.role(b.id)).toBeUndefined();
    expect(s.size.sessions).toBeLessThanOrEqual(1);
  });
});

describe('the login form under attack', () => {
  const login = (app: FastifyInstance, token: string, remoteAddress = '10.0.0.1') =>
    app.inject({ method: 'POST', url: '/api/v1/dashboard/session', headers: CSRF, payload: { token }, remoteAddress });

  it('refuses an address after 10 wrong tokens in a minute (429, Retry-After); successes do not count', async () => {
    const { app } = await build();
    for (let i = 0; i < 9; i++) expect((await login(app, `guess-${i}`)).statusCode).toBe(401);
    for (let i = 0; i < 5; i++) expect((await login(app, 'viewer-tok')).statusCode).toBe(200);
    expect((await login(app, 'guess-9')).statusCode).toBe(401);
    const refused = await login(app, 'guess-10');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.json()).toMatchObject({ message: expect.stringContaining('too many') });
    // refused before the token is even looked at, and no cookie
    const right = await login(app, 'admin-tok');
    expect(right.statusCode).toBe(429);
    expect(right.headers['set-cookie']).toBeUndefined();
    // another address is not affected
    expect((await login(app, 'admin-tok', '10.0.0.2')).statusCode).toBe(200);
  });

  it('lets the address try again once its window has passed', async () => {
    let now = 0;
    const { app } = await build({ loginThrottle: new LoginThrottle({ maxFailures: 2, windowMs: 1000, now: () => now }) });
    await login(app, 'x');
    await login(app, 'y');
    expect((await login(app, 'admin-tok')).statusCode).toBe(429);
    now = 1000;
    expect((await login(app, 'admin-tok')).statusCode).toBe(200);
  });

  it("keeps one token's sessions from pushing another token's session out", async () => {
    const { app, sessions } = await build();
    const admin = cookieOf(await login(app, 'admin-tok'));
    const first = cookieOf(await login(app, 'viewer-tok'));
    for (let i = 0; i < 30; i++) await login(app, 'viewer-tok');
    expect(sessions.size.sessions).toBe(21);
    expect((await app.inject({ url: '/api/v1/dashboard/session', headers: { cookie: admin } })).json().role).toBe('admin');
    expect((await app.inject({ url: '/api/v1/dashboard/session', headers: { cookie: first } })).statusCode).toBe(401);
  });

  it('gives a session opened with a login code to the owner of the token that asked for it', async () => {
    const { app, sessions } = await build();
    const admin = cookieOf(await login(app, 'admin-tok'));
    for (let i = 0; i < 25; i++) {
      const { path: loginPath } = (await app.inject({ method: 'POST', url: '/api/v1/dashboard/login-codes', headers: bearer('operator-tok') })).json();
      expect((await app.inject({ url: loginPath })).statusCode).toBe(303);
    }
    expect(sessions.size.sessions).toBe(21);
    expect((await app.inject({ url: '/api/v1/dashboard/session', headers: { cookie: admin } })).json().role).toBe('admin');
  });
});

describe('LoginThrottle', () => {
  it('counts failures per address within a window, and keeps a bounded table', () => {
    let now = 0;
    const t = new LoginThrottle({ maxFailures: 2, windowMs: 10_000, maxClients: 3, now: () => now });
    t.fail('a');
    expect(t.retryAfter('a')).toBeUndefined();
    t.fail('a');
    expect(t.retryAfter('a')).toBe(10);
    now = 2500;
    expect(t.retryAfter('a')).toBe(8);
    for (const c of ['b', 'c', 'd', 'e']) t.fail(c);
    expect(t.size).toBe(3);
    expect(t.retryAfter('a')).toBeUndefined(); // the oldest went
    now = 20_000;
    t.fail('f');
    expect(t.size).toBe(1); // expired windows are dropped
  });
});

describe('StackFeed', () => {
  it('survives a source that throws and a watcher that throws, and keeps sending', async () => {
    let state = 'running';
    let fail = false;
    const orchestrator = {
      status: () => {
        if (fail) throw new Error('status failed');
        return { state };
      },
    } as unknown as ConstructorParameters<typeof StackFeed>[0]['orchestrator'];
    const errors: string[] = [];
    const feed = new StackFeed({ orchestrator, tickMs: 3_600_000, topMs: 3_600_000, onError: (_e, where) => errors.push(where) });
    const got: FeedMessage[] = [];
    const offBad = await feed.open(() => {
      if (got.length > 0) throw new Error('watcher gone');
    });
    const offGood = await feed.open((m) => got.push(m));
    try {
      fail = true;
      state = 'degraded';
      await expect(feed.tick()).resolves.toBeUndefined();
      expect(errors).toEqual(['tick']);
      fail = false;
      await feed.tick();
      expect(got.filter((m) => m.event === 'stack').map((m) => m.data)).toEqual([{ state: 'running' }, { state: 'degraded' }]);
      expect(errors).toEqual(['tick', 'watcher']);
      state = 'stopped';
      await feed.tick();
      expect(got.at(-1)).toEqual({ event: 'stack', data: { state: 'stopped' } });
      expect(feed.errors).toBe(3);
    } finally {
      offBad();
      offGood();
      feed.close();
    }
  });

  it('lets the next watcher try again when starting failed', async () => {
    let fail = true;
    const orchestrator = {
      status: () => {
        if (fail) throw new Error('not yet');
        return null;
      },
    } as unknown as ConstructorParameters<typeof StackFeed>[0]['orchestrator'];
    const feed = new StackFeed({ orchestrator, tickMs: 3_600_000, topMs: 3_600_000 });
    await expect(feed.open(() => {})).rejects.toThrow('not yet');
    fail = false;
    const off = await feed.open(() => {});
    expect(feed.watchers).toBe(1);
    off();
    feed.close();
  });
});

describe('asset server loading', () => {
  it('tries again after a failed load instead of keeping the failure', async () => {
    let loads = 0;
    const a = Fastify({ logger: false });
    await a.register(assetRoutes, {
      webRoot: '/nowhere',
      load: async () => {
        loads += 1;
        if (loads === 1) throw new Error('import failed');
        const inner = Fastify({ logger: false });
        inner.get('/assets/*', async () => 'ok');
        await inner.ready();
        return inner;
      },
    });
    app = a;
    expect((await a.inject({ url: '/assets/app.js' })).statusCode).toBe(500);
    const res = await a.inject({ url: '/assets/app.js' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('ok');
    expect(loads).toBe(2);
  });
});
