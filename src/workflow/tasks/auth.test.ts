import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadWorkflow } from '../definition/index.js';
import { ManualClock, runWorkflow, type RunWorkflowOptions } from '../engine/index.js';
import { clearTokenCache } from './auth.js';

const HEAD = `document: { dsl: '1.0.3', namespace: test, name: wf, version: '1.0.0' }\n`;

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
/** what the token endpoint answers next (status, body) */
let tokenAnswer: { status: number; body: unknown } | undefined;
let tokenCount = 0;
/** tokens the API refuses (as if revoked) */
const revoked = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', path: url.pathname, headers: req.headers, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (url.pathname === '/realms/shop/.well-known/openid-configuration') return json(200, { issuer: `${base}/realms/shop`, token_endpoint: `${base}/realms/shop/protocol/openid-connect/token` });
      if (url.pathname.endsWith('/token')) {
        tokenCount++;
        const answer = tokenAnswer ?? { status: 200, body: { access_token: `tok-${tokenCount}`, token_type: 'bearer', expires_in: 3600 } };
        return json(answer.status, answer.body);
      }
      const auth = req.headers.authorization ?? '';
      if (revoked.has(auth.replace(/^Bearer /, ''))) return json(401, { error: 'revoked' });
      json(200, { authorization: auth, xauth: req.headers['x-auth'] ?? null });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  seen.length = 0;
  tokenAnswer = undefined;
  tokenCount = 0;
  revoked.clear();
  clearTokenCache();
});

function run(body: string, opts: RunWorkflowOptions = {}) {
  return runWorkflow(loadWorkflow(HEAD + body), { clock: new ManualClock(), ...opts });
}

const call = (auth: string, extra = '') => `do:
  - get:
      call: http
      with:
        method: get
        endpoint:
          uri: ${base}/api
          authentication:
${auth
  .split('\n')
  .map((l) => `            ${l}`)
  .join('\n')}
${extra}`;

const form = (s: Seen) => Object.fromEntries(new URLSearchParams(s.body));

describe('static credentials', () => {
  it('basic from use.authentications, with expressions on the task input', async () => {
    const r = await run(`use:\n  authentications:\n    shop:\n      basic: { username: '\${ .user }', password: s3cret }\n` + call('use: shop'), { input: { user: 'ann' } });
    expect(r.status).toBe('completed');
    expect(r.output).toMatchObject({ authorization: `Basic ${Buffer.from('ann:s3cret').toString('base64')}` });
  });

  it('bearer, inline or from use.authentications', async () => {
    const a = await run(call(`bearer: { token: '\${ .token }' }`), { input: { token: 't1' } });
    expect(a.output).toMatchObject({ authorization: 'Bearer t1' });
    const b = await run(`use:\n  authentications:\n    api:\n      bearer: { token: '\${ .token }' }\n` + call('use: api'), { input: { token: 't2' } });
    expect(b.output).toMatchObject({ authorization: 'Bearer t2' });
  });

  it('a scheme whose properties come from a secret', async () => {
    const r = await run(call('basic: { use: creds }'), { secrets: { creds: { username: 'svc', password: 'pw' } } });
    expect(r.output).toMatchObject({ authorization: `Basic ${Buffer.from('svc:pw').toString('base64')}` });
    const missing = await run(call('basic: { use: nope }'));
    expect(missing.status).toBe('faulted');
    expect(missing.error).toMatchObject({ status: 400, instance: '/do/0/get/with/endpoint/authentication/basic' });
    expect(missing.error?.detail).toMatch(/secret "nope"/);
  });

  it('$authorization is available to the call\'s expressions', async () => {
    const body = `do:
  - get:
      call: http
      with:
        method: get
        headers:
          X-Auth: '\${ $authorization.scheme + " " + $authorization.parameter }'
        endpoint:
          uri: ${base}/api
          authentication: { bearer: { token: abc } }
`;
    const r = await run(body);
    expect(r.output).toMatchObject({ xauth: 'Bearer abc' });
  });

  it('digest answers not supported', async () => {
    const r = await run(call('digest: { username: a, password: b }'));
    expect(r.status).toBe('faulted');
    expect(r.error).toMatchObject({ status: 501 });
    expect(r.error?.detail).toMatch(/digest authentication/);
  });
});

describe('oauth2', () => {
  const oauth2 = (extra = '') => `oauth2:
  authority: ${base}/realms/shop
  grant: client_credentials
  client: { id: wf, secret: 'p&ss' }
  scopes: [orders, payments]
  audiences: [shop]${extra}`;

  it('client_credentials with client_secret_post (the default) against authority + /oauth2/token, then the API with the token', async () => {
    const r = await run(call(oauth2()));
    expect(r.status).toBe('completed');
    expect(r.output).toMatchObject({ authorization: 'Bearer tok-1' });
    const token = seen.find((s) => s.path.endsWith('/token'))!;
    expect(token.path).toBe('/realms/shop/oauth2/token');
    expect(token.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(form(token)).toEqual({ grant_type: 'client_credentials', client_id: 'wf', client_secret: 'p&ss', scope: 'orders payments', audience: 'shop' });
  });

  it('client_secret_basic, a custom token endpoint and a JSON request', async () => {
    const r = await run(call(oauth2(`\n  endpoints: { token: /auth/token }\n  request: { encoding: application/json }`).replace("client: { id: wf, secret: 'p&ss' }", "client: { id: wf, secret: 'p&ss', authentication: client_secret_basic }")));
    expect(r.status).toBe('completed');
    const token = seen.find((s) => s.path.endsWith('/token'))!;
    expect(token.path).toBe('/realms/shop/auth/token');
    expect(token.headers.authorization).toBe(`Basic ${Buffer.from('wf:p%26ss').toString('base64')}`);
    expect(JSON.parse(token.body)).toEqual({ grant_type: 'client_credentials', scope: 'orders payments', audience: 'shop' });
  });

  it('the password grant sends the user', async () => {
    await run(call(oauth2('\n  username: ann\n  password: pw').replace('grant: client_credentials', 'grant: password')));
    expect(form(seen.find((s) => s.path.endsWith('/token'))!)).toMatchObject({ grant_type: 'password', username: 'ann', password: 'pw' });
  });

  it('caches the token until shortly before it expires', async () => {
    const clock = new ManualClock();
    const body = call(oauth2()) + `  - again:\n      call: http\n      with:\n        method: get\n        endpoint: { uri: '${base}/api', authentication: { oauth2: { authority: '${base}/realms/shop', grant: client_credentials, client: { id: wf, secret: 'p&ss' }, scopes: [orders, payments], audiences: [shop] } } }\n`;
    expect((await run(body, { clock })).output).toMatchObject({ authorization: 'Bearer tok-1' });
    expect(tokenCount).toBe(1);
    clock.advance(3_000_000); // 50 min of a 60 min token: still good
    expect((await run(call(oauth2()), { clock })).output).toMatchObject({ authorization: 'Bearer tok-1' });
    clock.advance(580_000); // within the last 30 s
    expect((await run(call(oauth2()), { clock })).output).toMatchObject({ authorization: 'Bearer tok-2' });
    // other scopes are another token
    expect((await run(call(oauth2().replace('[orders, payments]', '[orders]')), { clock })).output).toMatchObject({ authorization: 'Bearer tok-3' });
  });

  it('a refused cached token is dropped and the request made once more with a new one', async () => {
    const clock = new ManualClock();
    await run(call(oauth2()), { clock });
    revoked.add('tok-1');
    const r = await run(call(oauth2()), { clock });
    expect(r.output).toMatchObject({ authorization: 'Bearer tok-2' });
    expect(seen.filter((s) => s.path === '/api').map((s) => s.headers['idempotency-key'])).toHaveLength(3);
  });

  it('a refused token request faults with the authentication error and the server\'s reason', async () => {
    tokenAnswer = { status: 401, body: { error: 'invalid_client', error_description: 'bad secret' } };
    const r = await run(call(oauth2()));
    expect(r.status).toBe('faulted');
    expect(r.error).toMatchObject({ type: 'https://serverlessworkflow.io/spec/1.0.0/errors/authentication', status: 401 });
    expect(r.error?.detail).toMatch(/answered 401 \(invalid_client: bad secret\)/);
  });

  it('oidc finds the token endpoint by discovery', async () => {
    const r = await run(call(oauth2().replace('oauth2:', 'oidc:')));
    expect(r.output).toMatchObject({ authorization: 'Bearer tok-1' });
    expect(seen.map((s) => s.path)).toEqual(['/realms/shop/.well-known/openid-configuration', '/realms/shop/protocol/openid-connect/token', '/api']);
  });

  it('a token endpoint on a registered service is reached through resolveService', async () => {
    const r = await run(call(oauth2().replace(`${base}/realms/shop`, 'http://keycloak/realms/shop')), { resolveService: (h) => (h === 'keycloak' ? base : undefined) });
    expect(r.output).toMatchObject({ authorization: 'Bearer tok-1' });
  });
});
