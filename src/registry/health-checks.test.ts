import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type Store } from '../store/index.js';
import { createRegistry } from './registry.js';
import type { Registry, RegistryInstance } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'tutti-registry-'));
let n = 0;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function openStore(file = join(dir, `db-${n++}`, 'state.db')): Promise<{ store: Store; file: string }> {
  const store = await openSqliteStore(file);
  cleanups.push(() => store.close());
  return { store, file };
}

async function openRegistry(store: Store): Promise<Registry> {
  const registry = await createRegistry({ store: store.registry, meta: store.meta });
  cleanups.push(() => registry.close());
  return registry;
}

async function serve(handler: http.RequestListener): Promise<{ port: number; server: http.Server }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { port: (server.address() as net.AddressInfo).port, server };
}

async function until(registry: Registry, id: string, ok: (i: RegistryInstance | undefined) => boolean, what: string): Promise<RegistryInstance | undefined> {
  const deadline = Date.now() + 5000;
  while (!ok(registry.get(id))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; instance is ${JSON.stringify(registry.get(id))}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return registry.get(id);
}

describe('registry checks over real sockets', () => {
  it('an http check: passing on 2xx, warning on 429, critical otherwise, removed when critical too long', async () => {
    let status = 200;
    const { port, server } = await serve((req, res) => res.writeHead(req.url === '/healthz' ? status : 404).end());
    const registry = await openRegistry((await openStore()).store);
    const reg = await registry.register({
      id: 'web-1', service: 'web', address: '127.0.0.1', port,
      check: { http: '/healthz', interval: '30ms', timeout: '1s', deregister_critical_after: '400ms' },
    });
    expect(reg).toMatchObject({ status: 'critical', output: 'waiting for the first check', check: { http: `http://127.0.0.1:${port}/healthz` } });
    await until(registry, 'web-1', (i) => i?.status === 'passing', 'passing');
    status = 429;
    expect(await until(registry, 'web-1', (i) => i?.status === 'warning', 'warning')).toMatchObject({ output: 'GET /healthz returned 429' });
    status = 503;
    expect(await until(registry, 'web-1', (i) => i?.status === 'critical', 'critical')).toMatchObject({ output: 'GET /healthz returned 503' });
    status = 200;
    await until(registry, 'web-1', (i) => i?.status === 'passing', 'passing again');
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    expect((await until(registry, 'web-1', (i) => i?.status === 'critical', 'critical when down'))?.output).toMatch(/ECONNREFUSED/);
    await until(registry, 'web-1', (i) => i === undefined, 'removal');
    expect(registry.changes(0).events.at(-1)).toMatchObject({ type: 'deregistered', instance: { id: 'web-1' } });
  });

  it('a tcp check follows whether the port accepts connections', async () => {
    const { port, server } = await serve((_req, res) => res.end());
    const registry = await openRegistry((await openStore()).store);
    await registry.register({ id: 'db-1', service: 'db', address: '127.0.0.1', port, check: { tcp: true, interval: '30ms' } });
    await until(registry, 'db-1', (i) => i?.status === 'passing', 'passing');
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await until(registry, 'db-1', (i) => i?.status === 'critical', 'critical');
  });

  it('keeps external registrations in the state database across a daemon restart', async () => {
    const { store, file } = await openStore();
    const first = await createRegistry({ store: store.registry, meta: store.meta });
    await first.register({ id: 'pay-1', service: 'payments', address: '10.0.0.7', port: 8443, tags: ['eu'], meta: { zone: 'a' }, check: { ttl: '1m' } });
    await first.register({ id: 'pay-2', service: 'payments', address: '10.0.0.8', port: 8443 });
    await first.deregister('pay-2');
    first.syncLocal({ id: 'orders-0', service: 'orders', revision: 'r', slot: 0, address: '127.0.0.1', port: 4000, state: 'running', health: 'none', ready: true, restarts: 0, createdAt: 0 });
    const lastIndex = first.index();
    await first.close();
    await store.close();

    const reopened = await openStore(file);
    const second = await openRegistry(reopened.store);
    expect(second.index()).toBeGreaterThan(lastIndex);
    expect(second.instances('payments')).toEqual([
      expect.objectContaining({ id: 'pay-1', tags: ['eu'], meta: { zone: 'a' }, status: 'passing', source: 'external', check: { ttlMs: 60_000, deregisterCriticalAfterMs: 60_000 } }),
    ]);
    expect(second.get('orders-0')).toBeUndefined();
    expect(second.changes(lastIndex).reset).toBe(true);
  });
});
