// The SDK against a real control plane: the API app listening on a real port over a real
// registry on SQLite, and real HTTP backends. Register with heartbeats, resolve from the
// watched cache, fetch balanced over instances with a retry when one refuses connections.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../../registry/index.js';
import type { Registry } from '../../registry/types.js';
import { openSqliteStore } from '../../store/index.js';
import type { Store } from '../../store/index.js';
import { createTestApp, TOKENS, waitFor, type TestApp } from '../../server/test-app.js';
import { createTuttiClient, type TuttiSdk } from '../index.js';

let dir: string;
let store: Store;
let registry: Registry;
let t: TestApp;
let sdk: TuttiSdk;
const backends: http.Server[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tutti-sdk-'));
  store = await openSqliteStore(join(dir, 'state.db'));
  registry = await createRegistry({ store: store.registry, meta: store.meta });
  t = await createTestApp({ listen: true, registry });
  sdk = createTuttiClient({ url: t.url, token: TOKENS.operator });
});

afterEach(async () => {
  sdk.close();
  for (const b of backends.splice(0)) await stop(b);
  await t.close();
  await registry.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An HTTP server answering its own name; counts what it served. */
async function backend(name: string): Promise<{ server: http.Server; port: number; hits: () => number }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${name} ${req.method} ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  backends.push(server);
  return { server, port: (server.address() as AddressInfo).port, hits: () => hits };
}

function stop(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

describe('register', () => {
  it('is visible at once, kept passing by heartbeats past its TTL, and gone after deregister', async () => {
    const b = await backend('pay-a');
    const reg = await sdk.register({ service: 'pay', port: b.port, ttl: '500ms', tags: ['eu'], meta: { v: '1' } });
    expect(reg.id).toMatch(/^pay-/);
    const listed = await sdk.api.registryInstances('pay');
    expect(listed.instances).toMatchObject([{ id: reg.id, address: '127.0.0.1', port: b.port, tags: ['eu'], meta: { v: '1' }, status: 'passing', source: 'external' }]);

    // over three TTLs without one miss: only heartbeats every ttl/3 can do that
    const since = Date.now();
    const statuses = new Set<string>();
    await waitFor(() => {
      statuses.add(registry.get(reg.id)?.status ?? 'gone');
      return Date.now() - since > 1_500;
    }, 'three TTLs to pass');
    expect([...statuses]).toEqual(['passing']);
    expect(registry.get(reg.id)!.lastHeartbeatAt).toBeGreaterThan(since);

    await reg.deregister();
    expect(registry.get(reg.id)).toBeUndefined();
    await reg.deregister(); // twice is fine
  });

  it('reports the status it is given with its heartbeats', async () => {
    const reg = await sdk.register({ service: 'pay', port: 9, ttl: '1m' });
    await reg.setStatus('warning', 'draining');
    expect(registry.get(reg.id)).toMatchObject({ status: 'warning', output: 'draining' });
    expect(reg.instance.status).toBe('warning');
    await reg.deregister();
  });

  it('registers again under the same id when the control plane forgot the instance', async () => {
    const reg = await sdk.register({ service: 'pay', port: 9, ttl: '150ms', id: 'pay-fixed' });
    await registry.deregister('pay-fixed');
    expect(registry.get('pay-fixed')).toBeUndefined();
    await waitFor(() => registry.get('pay-fixed') !== undefined, 'the SDK to register it again');
    expect(registry.get('pay-fixed')).toMatchObject({ service: 'pay', port: 9, status: 'passing' });
    await reg.deregister();
  });

  it('refuses bad options before calling the control plane', async () => {
    await expect(sdk.register({ service: 'pay', port: 0 })).rejects.toThrow(/port 0 is not a port number/);
    await expect(sdk.register({ service: 'pay', port: 80, ttl: 'soon' })).rejects.toThrow(/ttl "soon" is not a positive duration/);
    expect(registry.services().some((s) => s.name === 'pay')).toBe(false);
  });
});

describe('resolve', () => {
  it('answers from a cache that a watch keeps current', async () => {
    await sdk.api.registerInstance({ id: 'pay-1', service: 'pay', address: '127.0.0.1', port: 7001, check: { ttl: '1m' } });
    await sdk.api.registerInstance({ id: 'pay-2', service: 'pay', address: '127.0.0.1', port: 7002, tags: ['eu'], check: { ttl: '1m' } });
    const first = await sdk.resolve('pay');
    expect(first.map((i) => i.id)).toEqual(['pay-1', 'pay-2']);
    // unchanged: the very same array, no allocation per call
    expect(await sdk.resolve('pay')).toBe(first);
    expect((await sdk.resolve('pay', { tags: ['eu'] })).map((i) => i.id)).toEqual(['pay-2']);

    await sdk.api.registerInstance({ id: 'pay-3', service: 'pay', address: '127.0.0.1', port: 7003, check: { ttl: '1m' } });
    let now: readonly { id: string }[] = first;
    await waitFor(() => {
      void sdk.resolve('pay').then((x) => (now = x));
      return now.length === 3;
    }, 'the new instance to reach the cache');

    await sdk.api.heartbeat('pay-1', { status: 'critical', output: 'disk full' });
    await waitFor(() => {
      void sdk.resolve('pay').then((x) => (now = x));
      return !now.some((i) => i.id === 'pay-1');
    }, 'the critical instance to leave the healthy list');
    expect((await sdk.resolve('pay', { healthy: false })).map((i) => i.id)).toEqual(['pay-1', 'pay-2', 'pay-3']);

    await sdk.api.deregisterInstance('pay-2');
    await waitFor(() => {
      void sdk.resolve('pay', { tags: ['eu'] }).then((x) => (now = x));
      return now.length === 0;
    }, 'the deregistration to reach the cache');
  });

  it('rejects a service the control plane does not know, and asks again next time', async () => {
    await expect(sdk.resolve('nobody')).rejects.toMatchObject({ code: 'TUTTI_E_NOT_FOUND' });
    await sdk.api.registerInstance({ service: 'nobody', address: '127.0.0.1', port: 7001 });
    expect(await sdk.resolve('nobody')).toHaveLength(1);
  });
});

describe('fetch', () => {
  it('balances http://<service>/ over the healthy instances and passes other URLs through', async () => {
    const a = await backend('a');
    const b = await backend('b');
    await sdk.register({ service: 'pay', port: a.port, ttl: '1m', id: 'pay-a', deregisterOnExit: false });
    await sdk.register({ service: 'pay', port: b.port, ttl: '1m', id: 'pay-b', deregisterOnExit: false });
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const res = await sdk.fetch('http://pay/orders?x=1');
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).toMatch(/^(a|b) GET \/orders\?x=1$/);
      seen.add(body[0]);
    }
    expect([...seen].sort()).toEqual(['a', 'b']);
    const viaRequest = await sdk.fetch(new Request('http://pay/echo', { method: 'PUT', body: 'x', headers: { 'idempotency-key': 'k' } }));
    expect(await viaRequest.text()).toMatch(/^(a|b) PUT \/echo$/);

    const direct = await sdk.fetch(`http://127.0.0.1:${a.port}/direct`, { method: 'POST', body: 'x' });
    expect(await direct.text()).toBe('a POST /direct');
  });

  it('retries an idempotent request on another instance when one refuses connections', async () => {
    const a = await backend('a');
    const b = await backend('b');
    await sdk.register({ service: 'pay', port: a.port, ttl: '1m', id: 'pay-a', deregisterOnExit: false });
    await sdk.register({ service: 'pay', port: b.port, ttl: '1m', id: 'pay-b', deregisterOnExit: false });
    await sdk.resolve('pay');
    await stop(a.server); // still registered and passing: only a connection tells
    const before = b.hits();
    for (let i = 0; i < 20; i++) {
      const res = await sdk.fetch('http://pay/get');
      expect(await res.text()).toBe('b GET /get');
    }
    // with an Idempotency-Key a POST is retried too
    for (let i = 0; i < 10; i++) {
      const res = await sdk.fetch('http://pay/charge', { method: 'POST', body: '{}', headers: { 'idempotency-key': `k${i}` } });
      expect(await res.text()).toBe('b POST /charge');
    }
    expect(b.hits() - before).toBe(30);
  });

  it('does not retry a POST without an Idempotency-Key, and says when no instance is healthy', async () => {
    const a = await backend('a');
    await sdk.register({ service: 'pay', port: a.port, ttl: '1m', id: 'pay-a', deregisterOnExit: false });
    await stop(a.server);
    await expect(sdk.fetch('http://pay/charge', { method: 'POST', body: '{}' })).rejects.toThrow(/fetch failed/);
    await sdk.api.heartbeat('pay-a', { status: 'critical' });
    await waitFor(() => {
      void sdk.resolve('pay', { healthy: false }).then(() => {});
      return registry.get('pay-a')?.status === 'critical';
    }, 'the instance to turn critical');
    let last: unknown;
    await waitFor(() => {
      void sdk.fetch('http://pay/x').then(
        () => (last = 'answered'),
        (e: unknown) => (last = e),
      );
      return last instanceof Error && /no healthy instance of service pay/.test(last.message);
    }, 'fetch to see no healthy instance');
  });
});
