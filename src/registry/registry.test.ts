import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InstanceInfo } from '../core/index.js';
import type { MetaRepository, RegistryRecord, RegistryRepository } from '../store/index.js';
import { createRegistry } from './registry.js';
import type { Registry, RegistryEvent } from './types.js';

/** The two repositories the registry uses, in memory. */
function memoryStore() {
  const rows = new Map<string, RegistryRecord>();
  const meta = new Map<string, string>();
  const registry: RegistryRepository = {
    list: async () => [...rows.values()].map((r) => structuredClone(r)),
    put: async (r) => void rows.set(r.id, structuredClone(r)),
    delete: async (id) => void rows.delete(id),
    write: async ({ put = [], delete: gone = [] }) => {
      for (const id of gone) rows.delete(id);
      for (const r of put) rows.set(r.id, structuredClone(r));
    },
  };
  const metaRepo: MetaRepository = { get: async (k) => meta.get(k), set: async (k, v) => void meta.set(k, v) };
  return { registry, meta: metaRepo, rows, values: meta };
}

function local(over: Partial<InstanceInfo> = {}): InstanceInfo {
  return {
    id: 'orders-0', service: 'orders', revision: 'r1', slot: 0, address: '127.0.0.1', port: 41000, pid: 4242,
    state: 'running', health: 'passing', ready: true, restarts: 0, createdAt: 0, ...over,
  };
}

let registry: Registry | undefined;
let store: ReturnType<typeof memoryStore>;
let events: RegistryEvent[];

async function open(opts: { historySize?: number } = {}): Promise<Registry> {
  registry = await createRegistry({ store: store.registry, meta: store.meta, now: () => Date.now(), ...opts });
  events = [];
  registry.subscribe((e) => events.push(e));
  return registry;
}

beforeEach(() => {
  // setImmediate stays real: the registry's writes to the store wait for it
  vi.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  store = memoryStore();
});
afterEach(async () => {
  await registry?.close();
  registry = undefined;
  vi.useRealTimers();
});

describe('registry: external instances and TTL checks', () => {
  it('registers passing, turns critical when the TTL lapses, and is removed after deregister_critical_after', async () => {
    const r = await open();
    const reg = await r.register({ id: 'pay-1', service: 'payments', address: '10.0.0.7', port: 8443, check: { ttl: '10s', deregister_critical_after: '30s' } });
    expect(reg).toMatchObject({ status: 'passing', source: 'external', modifyIndex: 1, registeredAt: 1_000_000, lastHeartbeatAt: 1_000_000 });

    await vi.advanceTimersByTimeAsync(9_999);
    expect(r.get('pay-1')?.status).toBe('passing');
    await vi.advanceTimersByTimeAsync(1);
    expect(r.get('pay-1')).toMatchObject({ status: 'critical', output: 'TTL of 10s expired without a heartbeat', criticalSince: 1_010_000, modifyIndex: 2 });
    expect(r.instances('payments', { healthy: true })).toEqual([]);

    await vi.advanceTimersByTimeAsync(29_999);
    expect(r.get('pay-1')).toBeDefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(r.get('pay-1')).toBeUndefined();
    expect(events.map((e) => [e.index, e.type, e.instance.status])).toEqual([
      [1, 'registered', 'passing'],
      [2, 'updated', 'critical'],
      [3, 'deregistered', 'critical'],
    ]);
    expect(r.instances('payments')).toEqual([]); // known service, no instance left
    await vi.waitFor(() => expect(store.rows.size).toBe(0));
    expect(store.values.get('registry.index')).toBe('1001'); // a reservation ahead of the index
  });

  it('heartbeats keep an instance passing; warn and fail set the status, only visible changes bump the index', async () => {
    const r = await open();
    await r.register({ id: 'pay-1', service: 'payments', address: '10.0.0.7', port: 8443, check: { ttl: '10s' } });
    for (let i = 0; i < 3; i++) {
      await vi.advanceTimersByTimeAsync(8_000);
      await r.heartbeat('pay-1');
    }
    expect(r.get('pay-1')).toMatchObject({ status: 'passing', modifyIndex: 1, lastHeartbeatAt: 1_024_000 });
    expect(r.index()).toBe(1);

    expect(await r.heartbeat('pay-1', { status: 'warning', output: 'queue 80% full' })).toMatchObject({ status: 'warning', output: 'queue 80% full', modifyIndex: 2 });
    await r.heartbeat('pay-1', { status: 'warning', output: 'queue 80% full' });
    expect(r.index()).toBe(2);
    expect(r.instances('payments', { healthy: true })).toHaveLength(1);
    expect(await r.heartbeat('pay-1', { status: 'critical', output: 'database down' })).toMatchObject({ status: 'critical', criticalSince: 1_024_000 });
    expect(await r.heartbeat('pay-1')).toMatchObject({ status: 'passing', modifyIndex: 4 });
    expect(r.get('pay-1')).not.toHaveProperty('criticalSince');
    expect(r.get('pay-1')).not.toHaveProperty('output');
  });

  it('a heartbeat brings a lapsed instance back before its removal', async () => {
    const r = await open();
    await r.register({ id: 'pay-1', service: 'payments', address: '10.0.0.7', port: 8443, check: { ttl: '1s', deregister_critical_after: '5s' } });
    await vi.advanceTimersByTimeAsync(1_000 + 4_000);
    expect(r.get('pay-1')?.status).toBe('critical');
    await r.heartbeat('pay-1');
    await vi.advanceTimersByTimeAsync(900);
    await r.heartbeat('pay-1');
    await vi.advanceTimersByTimeAsync(900); // the first removal deadline (6s) has passed
    expect(r.get('pay-1')?.status).toBe('passing');
    await vi.advanceTimersByTimeAsync(100); // lapses again at 6.9s: a new, full window
    expect(r.get('pay-1')).toMatchObject({ status: 'critical', criticalSince: 1_006_900 });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(r.get('pay-1')).toBeDefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(r.get('pay-1')).toBeUndefined();
  });

  it('refuses heartbeats of unknown instances and of instances without a TTL check, changing nothing', async () => {
    const r = await open();
    await r.register({ id: 'pay-1', service: 'payments', address: '10.0.0.7', port: 8443 });
    r.syncLocal(local());
    const index = r.index();
    await expect(r.heartbeat('nope')).rejects.toMatchObject({ code: 'TUTTI_E_NOT_FOUND' });
    await expect(r.heartbeat('pay-1')).rejects.toMatchObject({ code: 'TUTTI_E_BAD_REQUEST', message: 'instance pay-1 has no TTL check, so it takes no heartbeats' });
    await expect(r.heartbeat('orders-0')).rejects.toMatchObject({ code: 'TUTTI_E_BAD_REQUEST' });
    expect(r.index()).toBe(index);
  });

  it('re-registering an id replaces it; deregistering removes it; local ids and instances are refused', async () => {
    const r = await open();
    await r.register({ id: 'pay-1', service: 'payments', address: '10.0.0.7', port: 8443, tags: ['eu'] });
    await r.register({ id: 'pay-1', service: 'payments', address: '10.0.0.8', port: 8443 });
    expect(r.instances('payments')).toMatchObject([{ id: 'pay-1', address: '10.0.0.8', tags: [] }]);
    r.syncLocal(local());
    const index = r.index();
    await expect(r.register({ id: 'orders-0', service: 'orders', address: '1.2.3.4', port: 1 })).rejects.toMatchObject({
      code: 'TUTTI_E_BAD_REQUEST', details: { field: 'id' },
    });
    await expect(r.deregister('orders-0')).rejects.toMatchObject({ code: 'TUTTI_E_BAD_REQUEST', hint: expect.stringMatching(/stop the service instead/) });
    await expect(r.deregister('nope')).rejects.toMatchObject({ code: 'TUTTI_E_NOT_FOUND' });
    expect(r.index()).toBe(index);
    expect(await r.deregister('pay-1')).toMatchObject({ id: 'pay-1', modifyIndex: index + 1 });
    expect(events.map((e) => e.type)).toEqual(['registered', 'updated', 'registered', 'deregistered']);
    await vi.waitFor(() => expect(store.rows.size).toBe(0));
  });
});

describe('registry: local instances', () => {
  it('lists a ready instance as passing and an unready one as critical with the runtime state', async () => {
    const r = await open();
    r.syncLocal(local({ state: 'starting', ready: false, health: 'unknown' }));
    expect(r.get('orders-0')).toMatchObject({ status: 'critical', output: 'starting', source: 'local', tags: [], meta: { revision: 'r1', slot: '0', pid: '4242' } });
    r.syncLocal(local());
    expect(r.get('orders-0')).toMatchObject({ status: 'passing', modifyIndex: 2 });
    expect(r.get('orders-0')).not.toHaveProperty('output');
    r.syncLocal(local({ state: 'unhealthy', ready: false, message: 'GET /healthz returned 503' }));
    expect(r.get('orders-0')).toMatchObject({ status: 'critical', output: 'unhealthy: GET /healthz returned 503' });
    expect(store.rows.size).toBe(0); // local instances are not stored
  });

  it('emits nothing for runtime updates a watcher cannot see', async () => {
    const r = await open();
    r.syncLocal(local());
    r.syncLocal(local({ restarts: 3, startedAt: 5, health: 'passing' }));
    r.syncLocal(local({ createdAt: 99 }));
    expect(events).toHaveLength(1);
    r.syncLocal(local({ port: 41001 }));
    expect(events.map((e) => e.type)).toEqual(['registered', 'updated']);
  });

  it.each([['stopped'], ['failed'], ['completed'], ['backoff'], ['crash-looping']] as const)('deregisters an instance that is %s', async (state) => {
    const r = await open();
    r.syncLocal(local());
    r.syncLocal(local({ state, ready: false }));
    expect(r.get('orders-0')).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['registered', 'deregistered']);
  });

  it('deregisters a removed instance or one without a port, and ignores unknown ones going away', async () => {
    const r = await open();
    r.syncLocal(local());
    r.syncLocal(local({ id: 'orders-1', slot: 1, port: 41001 }));
    r.syncLocal(local(), true);
    r.syncLocal(local({ id: 'orders-1', port: 0 }));
    r.syncLocal(local({ id: 'orders-9' }), true);
    r.syncLocal(local({ id: 'orders-8', port: 0 }));
    expect(events.map((e) => `${e.type} ${e.instance.id}`)).toEqual(['registered orders-0', 'registered orders-1', 'deregistered orders-0', 'deregistered orders-1']);
  });
});

describe('registry: lookups', () => {
  it('filters by health and by every tag, ordered by id', async () => {
    const r = await open();
    await r.register({ id: 'pay-10', service: 'payments', address: '10.0.0.10', port: 1, tags: ['eu', 'v2'] });
    await r.register({ id: 'pay-2', service: 'payments', address: '10.0.0.2', port: 1, tags: ['eu'] });
    await r.register({ id: 'pay-3', service: 'payments', address: '10.0.0.3', port: 1, tags: ['us', 'v2'], check: { ttl: '1s' } });
    await vi.advanceTimersByTimeAsync(1000);
    expect(r.instances('payments').map((i) => i.id)).toEqual(['pay-2', 'pay-3', 'pay-10']);
    expect(r.instances('payments', { healthy: true }).map((i) => i.id)).toEqual(['pay-2', 'pay-10']);
    expect(r.instances('payments', { tags: ['v2'] }).map((i) => i.id)).toEqual(['pay-3', 'pay-10']);
    expect(r.instances('payments', { tags: ['v2', 'eu'], healthy: true }).map((i) => i.id)).toEqual(['pay-10']);
  });

  it('knows declared services without instances, and suggests a near name for an unknown one', async () => {
    const r = await open();
    r.setDeclaredServices(['orders', 'inventory']);
    await r.register({ service: 'payments', address: '10.0.0.7', port: 1, tags: ['v2', 'eu'], check: { ttl: '1s' } });
    r.syncLocal(local());
    expect(r.instances('inventory')).toEqual([]);
    expect(() => r.instances('paymnts')).toThrow(expect.objectContaining({ code: 'TUTTI_E_NOT_FOUND', hint: 'did you mean "payments"?' }));
    expect(() => r.instances('zzz')).toThrow(expect.objectContaining({ message: 'no service named zzz is declared by the stack or registered' }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(r.services()).toEqual([
      { name: 'inventory', instances: 0, passing: 0, warning: 0, critical: 0, tags: [], declared: true },
      { name: 'orders', instances: 1, passing: 1, warning: 0, critical: 0, tags: [], declared: true },
      { name: 'payments', instances: 1, passing: 0, warning: 0, critical: 1, tags: ['eu', 'v2'], declared: false },
    ]);
    r.setDeclaredServices(['orders']);
    expect(r.services().map((s) => s.name)).toEqual(['orders', 'payments']);
  });
});

describe('registry: history, watchers and blocking queries', () => {
  it('answers changes since an index, per service, and resets when the index is older than the history', async () => {
    const r = await open({ historySize: 3 });
    for (let i = 0; i < 5; i++) await r.register({ id: `s-${i}`, service: i % 2 ? 'odd' : 'even', address: '10.0.0.1', port: 1 });
    expect(r.changes(2)).toMatchObject({ index: 5, reset: false, events: [{ index: 3 }, { index: 4 }, { index: 5 }] });
    expect(r.changes(2, 'odd').events.map((e) => e.instance.id)).toEqual(['s-3']);
    expect(r.changes(1)).toEqual({ index: 5, events: [], reset: true });
    expect(r.changes(5)).toEqual({ index: 5, events: [], reset: false });
    expect(r.changes(6).reset).toBe(true);
  });

  it('releases a blocking query at the first change of its service, not of another', async () => {
    const r = await open();
    r.setDeclaredServices(['payments']);
    const since = r.index();
    const waiting = r.waitForChange(since, { service: 'payments', timeoutMs: 60_000 });
    let released = false;
    void waiting.then(() => (released = true));
    await r.register({ service: 'orders', address: '10.0.0.1', port: 1 });
    await vi.advanceTimersByTimeAsync(10);
    expect(released).toBe(false);
    await r.register({ id: 'pay-1', service: 'payments', address: '10.0.0.1', port: 1 });
    expect(await waiting).toMatchObject({ index: 2, reset: false, events: [{ index: 2, type: 'registered', instance: { id: 'pay-1' } }] });
  });

  it('answers a blocking query at once when something changed already, and empty after the wait or an abort', async () => {
    const r = await open();
    await r.register({ service: 'payments', address: '10.0.0.1', port: 1 });
    expect((await r.waitForChange(0, { timeoutMs: 60_000 })).events).toHaveLength(1);
    const timedOut = r.waitForChange(1, { timeoutMs: 5_000 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await timedOut).toEqual({ index: 1, events: [], reset: false });
    const abort = new AbortController();
    const aborted = r.waitForChange(1, { timeoutMs: 60_000, signal: abort.signal });
    abort.abort();
    expect(await aborted).toEqual({ index: 1, events: [], reset: false });
  });
});

describe('registry: restart', () => {
  it('keeps external registrations and moves its index past the previous daemon, with no history', async () => {
    const r1 = await open();
    await r1.register({ id: 'pay-1', service: 'payments', address: '10.0.0.7', port: 8443, check: { ttl: '10s' } });
    r1.syncLocal(local());
    await vi.advanceTimersByTimeAsync(6_000);
    await r1.close();
    expect(store.values.get('registry.index')).toBe('1001');

    vi.setSystemTime(2_000_000);
    const r2 = await open();
    expect(r2.index()).toBe(1002);
    expect(r2.get('orders-0')).toBeUndefined();
    expect(r2.get('pay-1')).toMatchObject({ status: 'passing', modifyIndex: 1, lastHeartbeatAt: 2_000_000 });
    expect(r2.changes(2)).toEqual({ index: 1002, events: [], reset: true });
    expect(r2.changes(1002)).toEqual({ index: 1002, events: [], reset: false });
    // a full TTL from the restart, not from the last heartbeat
    await vi.advanceTimersByTimeAsync(9_999);
    expect(r2.get('pay-1')?.status).toBe('passing');
    await vi.advanceTimersByTimeAsync(1);
    expect(r2.get('pay-1')).toMatchObject({ status: 'critical', modifyIndex: 1003 });
    await r2.close();
    expect(store.values.get('registry.index')).toBe('2002'); // each daemon reserves anew
  });

  it('moves the stored reservation ahead before the index reaches it', async () => {
    const r = await open();
    for (let i = 0; i < 500; i++) r.syncLocal(local({ port: 1000 + (i % 2) }));
    await vi.waitFor(() => expect(store.values.get('registry.index')).toBe('1001'));
    r.syncLocal(local({ port: 3000 }));
    expect(r.index()).toBe(501);
    await vi.waitFor(() => expect(store.values.get('registry.index')).toBe('1501'));
  });

  it('without a meta repository, starts past the highest stored modifyIndex', async () => {
    const first = await createRegistry({ store: store.registry });
    await first.register({ id: 'pay-1', service: 'payments', address: '10.0.0.7', port: 1 });
    await first.register({ id: 'pay-2', service: 'payments', address: '10.0.0.8', port: 1 });
    await first.close();
    expect(store.values.size).toBe(0);
    registry = await createRegistry({ store: store.registry });
    expect(registry.index()).toBe(3);
    expect(registry.instances('payments').map((i) => i.id)).toEqual(['pay-1', 'pay-2']);
  });

  it('ignores a stored record it cannot read, and loads the others', async () => {
    store.rows.set('broken', { id: 'broken', service: 'payments' });
    store.rows.set('pay-1', { id: 'pay-1', service: 'payments', address: '10.0.0.7', port: 1, tags: [], meta: {}, status: 'passing', source: 'external', registeredAt: 1, modifyIndex: 7 } as never);
    const warnings: string[] = [];
    registry = await createRegistry({ store: store.registry, meta: store.meta, logger: { warn: (_o, msg) => warnings.push(msg) } });
    expect(registry.instances('payments').map((i) => i.id)).toEqual(['pay-1']);
    expect(registry.index()).toBe(8);
    expect(warnings).toEqual(['ignoring a stored registration this version cannot read']);
  });

  it('starts at 0 on a fresh store, and stops checks and releases blocking queries on close', async () => {
    const r = await open();
    expect(r.index()).toBe(0);
    await r.register({ id: 'pay-1', service: 'payments', address: '10.0.0.7', port: 8443, check: { ttl: '1s' } });
    const waiting = r.waitForChange(1, { timeoutMs: 600_000 });
    await r.close();
    expect(await waiting).toMatchObject({ events: [] });
    expect(vi.getTimerCount()).toBe(0);
    await expect(r.register({ service: 'payments', address: '10.0.0.7', port: 1 })).rejects.toMatchObject({ code: 'TUTTI_E_INTERNAL' });
  });
});
