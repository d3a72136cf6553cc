import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TuttiError, type LogLine } from '../core/index.js';
import { createTestApp, testStackSpec, TOKENS, waitFor, type TestApp } from '../server/test-app.js';
import { createClient, type OperationEvent, type TuttiClient } from './index.js';

let t: TestApp;
let client: TuttiClient;
afterEach(async () => t?.close());

async function start(opts: Parameters<typeof createTestApp>[0] = {}, role: keyof typeof TOKENS = 'admin') {
  t = await createTestApp({ listen: true, ...opts });
  client = createClient({ url: `${t.url}/`, token: TOKENS[role] });
}

async function rejection(p: Promise<unknown>): Promise<TuttiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TuttiError);
  return e as TuttiError;
}

describe('client over a real socket', () => {
  it('reads the stack, services, instances, operations, version and health', async () => {
    await start();
    t.orchestrator.instanceStats = { 'orders-1': { cpu: 3.5, memory: 1234 } };
    const status = await client.stack();
    expect(status.name).toBe('shop');
    expect(status.instances.find((i) => i.id === 'orders-1')?.cpu).toBeUndefined();
    expect((await client.stack({ stats: true })).instances.find((i) => i.id === 'orders-1')).toMatchObject({ cpu: 3.5, memory: 1234 });
    expect((await client.services()).map((s) => s.name)).toEqual(['catalog', 'inventory', 'orders']);
    expect((await client.service('orders')).dependsOn).toEqual({ catalog: 'healthy' });
    expect((await client.instances()).length).toBe(3);
    expect(await client.instances('orders', { stats: true })).toMatchObject([{ id: 'orders-1', cpu: 3.5 }]);
    expect(await client.version()).toEqual({ version: '9.9.9-test', api: 'v1', node: process.version });
    expect(await client.healthz()).toEqual({ status: 'ok' });
  });

  it('starts every kind of operation', async () => {
    await start();
    const spec = testStackSpec('shop', ['a', 'b']);
    expect((await client.apply(spec)).kind).toBe('apply');
    expect(t.orchestrator.calls.at(-1)).toEqual({ method: 'apply', args: [spec] });
    expect((await client.restart('a')).kind).toBe('restart');
    expect((await client.stop('a')).kind).toBe('stop');
    expect((await client.start('a')).kind).toBe('start');
    const scaled = await client.scale('b', 4);
    expect(t.orchestrator.calls.at(-1)).toEqual({ method: 'scale', args: ['b', 4] });
    expect(await client.operation(scaled.id)).toMatchObject({ id: scaled.id, kind: 'scale', done: false });
    expect((await client.down()).kind).toBe('down');
  });

  it('asks for shutdown and gets the 202 before the daemon acts on it', async () => {
    await start();
    expect(await client.shutdown({ stopStack: true })).toEqual({ accepted: true, stopStack: true });
    await waitFor(() => t.shutdowns.length === 1, 'the shutdown handler');
    expect(t.shutdowns).toEqual([{ stopStack: true }]);
  });

  it('passes log filters through and returns the lines', async () => {
    await start();
    t.orchestrator.pushLog({ time: 1000, service: 'orders', instance: 'orders-1', text: 'old' });
    t.orchestrator.pushLog({ time: Date.now(), service: 'orders', instance: 'orders-1', text: 'new' });
    t.orchestrator.pushLog({ time: Date.now(), service: 'catalog', instance: 'catalog-1', text: 'other' });
    expect((await client.logs({ services: ['orders'], since: '10m' })).map((l) => l.text)).toEqual(['new']);
    expect((await client.logs({ services: ['orders', 'catalog'], tail: 2 })).map((l) => l.text)).toEqual(['new', 'other']);
    expect((await client.logs({ instances: ['orders-1'], since: 500 })).map((l) => l.text)).toEqual(['old', 'new']);
    expect(await client.logs()).toHaveLength(3);
  });

  it('sends grep, level and until, and reads level and message back', async () => {
    await start({}, 'viewer');
    t.orchestrator.pushLog({ time: 1000, service: 'orders', instance: 'orders-1', text: '{"level":40,"msg":"slow"}', level: 'warn', message: 'slow' });
    const lines = await client.logs({ services: ['orders'], grep: '/^slow$/', level: 'warn', until: 5000 });
    expect(lines).toEqual([
      { time: 1000, service: 'orders', instance: 'orders-1', stream: 'stdout', text: '{"level":40,"msg":"slow"}', level: 'warn', message: 'slow' },
    ]);
    expect(t.orchestrator.calls.at(-1)!.args[0]).toMatchObject({ services: ['orders'], grep: '/^slow$/', level: 'warn', untilMs: 5000 });
    const err = await rejection(client.logs({ grep: '/(/' }));
    expect(err.code).toBe('TUTTI_E_BAD_REQUEST');
    expect(err.message).toContain('/(/ is not a valid regular expression');
    const followErr = await rejection(collectAll(client.followLogs({ grep: '/(/' })));
    expect(followErr.code).toBe('TUTTI_E_BAD_REQUEST');
  });

  it('uses the fetch it is given and encodes names in paths', async () => {
    await start();
    const urls: string[] = [];
    const c = createClient({
      url: t.url,
      token: TOKENS.viewer,
      fetch: (input, init) => {
        urls.push(String(input));
        return fetch(input, init);
      },
    });
    const err = await rejection(c.service('a b/c'));
    expect(err.code).toBe('TUTTI_E_UNKNOWN_SERVICE');
    expect(urls).toEqual([`${t.url}/api/v1/services/a%20b%2Fc`]);
  });
});

describe('client errors', () => {
  it('turns a missing or wrong token into TUTTI_E_UNAUTHORIZED with the server hint', async () => {
    await start();
    const err = await rejection(createClient({ url: t.url, token: 'wrong' }).stack());
    expect(err.code).toBe('TUTTI_E_UNAUTHORIZED');
    expect(err.status).toBe(401);
    expect(err.hint).toContain('Bearer');
  });

  it('turns a role that is not enough into TUTTI_E_FORBIDDEN', async () => {
    await start({}, 'viewer');
    expect((await rejection(client.restart('orders'))).code).toBe('TUTTI_E_FORBIDDEN');
    expect((await rejection(client.shutdown())).code).toBe('TUTTI_E_FORBIDDEN');
    expect(t.shutdowns).toEqual([]);
  });

  it('rebuilds the server error: code, message, hint and details', async () => {
    await start({ withStack: false });
    const none = await rejection(client.stack());
    expect(none.code).toBe('TUTTI_E_NO_STACK');
    expect(none.hint).toContain('tutti up');
    await client.apply(testStackSpec());
    const bad = await rejection(client.scale('orders', -1));
    expect(bad.code).toBe('TUTTI_E_BAD_REQUEST');
    expect(bad.message).toBe('invalid request: body.replicas must be >= 0');
    expect(bad.details).toEqual({ field: 'body.replicas' });
  });

  it('says the daemon is unreachable when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = createClient({ url: `http://127.0.0.1:${port}`, token: 'x' });
    const err = await rejection(c.healthz());
    expect(err.code).toBe('TUTTI_E_DAEMON_UNREACHABLE');
    expect(err.message).toBe(`cannot reach the tutti control plane at http://127.0.0.1:${port}`);
    expect(err.hint).toMatch(/tutti up/);
    const follow = await rejection((async () => {
      for await (const _ of c.followLogs({})) break;
    })());
    expect(follow.code).toBe('TUTTI_E_DAEMON_UNREACHABLE');
  });

  it('gives up on a daemon that accepts but never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const c = createClient({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, token: 'x', timeoutMs: 100 });
      const err = await rejection(c.stack());
      expect(err.code).toBe('TUTTI_E_DAEMON_UNREACHABLE');
      expect(err.message).toMatch(/did not answer within 0.1s/);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('does not mistake another server for the control plane', async () => {
    const http = await import('node:http');
    const other = http.createServer((_req, res) => {
      res.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' });
      res.end('<h1>bad gateway</h1>');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      const err = await rejection(createClient({ url, token: 'x' }).stack());
      expect(err.code).toBe('TUTTI_E_INTERNAL');
      expect(err.message).toBe(`the control plane at ${url} answered 502 Bad Gateway`);
    } finally {
      await new Promise<void>((r) => other.close(() => r()));
    }
  });
});

describe('client streams', () => {
  it('follows an operation: replay, live events, end after complete', async () => {
    await start();
    const op = await client.restart('orders');
    t.orchestrator.progress(op.id, { service: 'orders', phase: 'starting', instance: 'orders-2' });
    const seen: OperationEvent[] = [];
    const done = (async () => {
      for await (const e of client.followOperation(op.id)) seen.push(e);
    })();
    await waitFor(() => seen.length === 1, 'the replayed event');
    t.orchestrator.progress(op.id, { service: 'orders', phase: 'ready', instance: 'orders-2' });
    await waitFor(() => seen.length === 2, 'the live event');
    t.orchestrator.complete(op.id, true);
    await done;
    expect(seen.map((e) => [e.seq, e.phase])).toEqual([[1, 'starting'], [2, 'ready'], [3, 'complete']]);
    expect(seen[2].ok).toBe(true);
  });

  it('reports an unknown operation and a stream cut before completion', async () => {
    await start();
    const unknown = await rejection((async () => {
      for await (const _ of client.followOperation('nope')) break;
    })());
    expect(unknown.code).toBe('TUTTI_E_NOT_FOUND');

    const op = await client.restart('orders');
    const follow = (async () => {
      for await (const _ of client.followOperation(op.id)) {
        /* no events until the daemon goes away */
      }
    })();
    await waitFor(() => t.orchestrator.listenerCount(op.id) === 1, 'the follower');
    await t.close();
    const cut = await rejection(follow);
    expect(cut.code).toBe('TUTTI_E_DAEMON_UNREACHABLE');
    expect(cut.message).toContain('before it completed');
  });

  it('ends a follow quietly when its signal aborts, and the server lets go', async () => {
    await start();
    const op = await client.restart('orders');
    const abort = new AbortController();
    const follow = (async () => {
      for await (const _ of client.followOperation(op.id, abort.signal)) {
        /* nothing comes */
      }
    })();
    await waitFor(() => t.orchestrator.listenerCount(op.id) === 1, 'the follower');
    abort.abort();
    await follow;
    await waitFor(() => t.orchestrator.listenerCount(op.id) === 0, 'the server to unsubscribe');
  });

  it('follows logs: the tail, then live lines; leaving the loop closes the server side', async () => {
    await start();
    t.orchestrator.pushLog({ service: 'orders', instance: 'orders-1', text: 'one' });
    t.orchestrator.pushLog({ service: 'orders', instance: 'orders-1', text: 'two' });
    const got: LogLine[] = [];
    const follow = (async () => {
      for await (const line of client.followLogs({ services: ['orders'], tail: 1 })) {
        got.push(line);
        if (line.text === 'three') break;
      }
    })();
    await waitFor(() => got.length === 1, 'the tail');
    t.orchestrator.pushLog({ service: 'catalog', instance: 'catalog-1', text: 'elsewhere' });
    t.orchestrator.pushLog({ service: 'orders', instance: 'orders-1', text: 'three', stream: 'stderr' });
    await follow;
    expect(got.map((l) => [l.text, l.stream])).toEqual([['two', 'stdout'], ['three', 'stderr']]);
    await waitFor(() => t.orchestrator.openLogStreams === 0, 'the server-side log iterator to end');
  });

  it('ends a log follow when the signal aborts, and the server lets go', async () => {
    await start();
    const abort = new AbortController();
    const follow = (async () => {
      for await (const _ of client.followLogs({}, abort.signal)) {
        /* idle */
      }
    })();
    await waitFor(() => t.orchestrator.openLogStreams === 1, 'the stream to open');
    abort.abort();
    await follow;
    await waitFor(() => t.orchestrator.openLogStreams === 0, 'the server-side log iterator to end');
  });

  it('raises the error the server sends inside a log stream', async () => {
    await start({ withStack: false });
    const err = await rejection((async () => {
      for await (const _ of client.followLogs({ services: ['explode'] })) {
        /* none */
      }
    })());
    expect(err.code).toBe('TUTTI_E_INTERNAL');
    expect(err.message).toBe('log files are unreadable');
  });
});

async function collectAll<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
