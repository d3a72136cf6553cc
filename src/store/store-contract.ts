// The contract every Store passes (SQLite now, PostgreSQL later): call runStoreContract from
// each implementation's test file with a factory that returns a fresh, empty store.

import { afterEach, describe, expect, it } from 'vitest';
import type { StackSpec } from '../core/index.js';
import { testServiceSpec } from '../core/test-service-spec.js';
import type { Store, StoreOptions } from './store.js';
import { runWorkflowStoreContract } from './workflow-store-contract.js';

export type StoreFactory = (opts?: StoreOptions) => Promise<Store>;

export function stackSpec(name: string, services: string[]): StackSpec {
  const svc = (s: string) => testServiceSpec(s, { env: { LOG_LEVEL: 'info', QUOTE: 'it\'s "quoted" ☃' } });
  return {
    name,
    file: '/srv/shop/tutti.yaml',
    dir: '/srv/shop',
    services: Object.fromEntries(services.map((s) => [s, svc(s)])),
    order: services,
    selection: {
      strategy: 'qos',
      weights: { latency: 0.5, success: 0.3, load: 0.1, health: 0.1 },
      outlier: { consecutiveFailures: 5, baseEjectionMs: 10_000, maxEjectionMs: 300_000 },
    },
  };
}

export function runStoreContract(create: StoreFactory): void {
  const opened: Store[] = [];
  const open = async (opts?: StoreOptions) => {
    const store = await create(opts);
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  describe('stack', () => {
    it('is undefined until a spec is put, then round-trips it exactly', async () => {
      const store = await open();
      expect(await store.stack.get()).toBeUndefined();
      const spec = stackSpec('shop', ['catalog', 'orders']);
      await store.stack.put(spec, 1_700_000_000_123);
      expect(await store.stack.get()).toEqual({ spec, appliedAt: 1_700_000_000_123 });
    });

    it('replaces the previous spec and stamps appliedAt with the current time by default', async () => {
      const store = await open();
      await store.stack.put(stackSpec('shop', ['a']), 1);
      const before = Date.now();
      await store.stack.put(stackSpec('shop2', ['b']));
      const got = await store.stack.get();
      expect(got?.spec.name).toBe('shop2');
      expect(got?.appliedAt).toBeGreaterThanOrEqual(before);
    });

    it('put forgets the desired state of services the new spec no longer has', async () => {
      const store = await open();
      await store.services.put({ name: 'a', replicas: 3, stopped: false });
      await store.services.put({ name: 'b', replicas: 1, stopped: true });
      await store.stack.put(stackSpec('shop', ['b', 'c']));
      expect((await store.services.list()).map((s) => s.name)).toEqual(['b']);
      await store.stack.put(stackSpec('shop', []));
      expect(await store.services.list()).toEqual([]);
    });

    it('delete removes the stack and every service record together', async () => {
      const store = await open();
      await store.stack.put(stackSpec('shop', ['a']));
      await store.services.put({ name: 'a', replicas: 2, stopped: false });
      await store.stack.delete();
      expect(await store.stack.get()).toBeUndefined();
      expect(await store.services.list()).toEqual([]);
      await store.stack.delete(); // idempotent
    });
  });

  describe('services', () => {
    it('upserts and reads desired state, with and without an endpoint port', async () => {
      const store = await open();
      await store.services.put({ name: 'orders', replicas: 2, stopped: false, endpointPort: 41234 });
      await store.services.put({ name: 'catalog', replicas: 0, stopped: true });
      expect(await store.services.get('orders')).toEqual({ name: 'orders', replicas: 2, stopped: false, endpointPort: 41234 });
      expect(await store.services.get('catalog')).toEqual({ name: 'catalog', replicas: 0, stopped: true });
      await store.services.put({ name: 'orders', replicas: 5, stopped: true });
      expect(await store.services.get('orders')).toEqual({ name: 'orders', replicas: 5, stopped: true });
      expect((await store.services.list()).map((s) => s.name)).toEqual(['catalog', 'orders']);
    });

    it('delete removes one service and tolerates unknown names', async () => {
      const store = await open();
      await store.services.put({ name: 'a', replicas: 1, stopped: false });
      await store.services.delete('a');
      await store.services.delete('never-existed');
      expect(await store.services.get('a')).toBeUndefined();
    });
  });

  describe('instances', () => {
    it('keeps each driver record as JSON, replaced by id', async () => {
      const store = await open();
      const data = { pid: 4242, startTime: 1234.5, port: 40001, argv: ['node', 'x.js'], nested: { ok: true } };
      await store.instances.put({ id: 'orders-1', service: 'orders', data });
      await store.instances.put({ id: 'catalog-1', service: 'catalog', data: null });
      await store.instances.put({ id: 'orders-1', service: 'orders', data: { ...data, pid: 4343 } });
      expect(await store.instances.list()).toEqual([
        { id: 'catalog-1', service: 'catalog', data: null },
        { id: 'orders-1', service: 'orders', data: { ...data, pid: 4343 } },
      ]);
      await store.instances.delete('orders-1');
      await store.instances.delete('orders-1');
      expect((await store.instances.list()).map((r) => r.id)).toEqual(['catalog-1']);
    });
  });

  describe('events', () => {
    it('assigns increasing ids and returns the newest events oldest-first', async () => {
      const store = await open();
      await store.events.add({ time: 10, kind: 'instance.started', service: 'orders', instance: 'orders-1', message: 'pid 1' });
      await store.events.add({ time: 11, kind: 'stack.applied', message: 'applied shop' });
      const [a, b] = await store.events.list();
      expect(b.id).toBeGreaterThan(a.id);
      expect(a).toEqual({ id: a.id, time: 10, kind: 'instance.started', service: 'orders', instance: 'orders-1', message: 'pid 1' });
      expect(b).toEqual({ id: b.id, time: 11, kind: 'stack.applied', message: 'applied shop' });
      expect(await store.events.list({ limit: 1 })).toEqual([b]);
      expect(await store.events.list({ sinceId: a.id })).toEqual([b]);
      expect(await store.events.list({ sinceId: b.id })).toEqual([]);
      expect(await store.events.list({ limit: 0 })).toEqual([]);
    });

    it('pages forward from sinceId, oldest first', async () => {
      const store = await open();
      for (let i = 0; i < 7; i++) await store.events.add({ time: i, kind: 'k', message: `m${i}` });
      const all = await store.events.list();
      expect(all.map((e) => e.message)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
      const page1 = await store.events.list({ sinceId: 0, limit: 3 });
      const page2 = await store.events.list({ sinceId: page1[2].id, limit: 3 });
      const page3 = await store.events.list({ sinceId: page2[2].id, limit: 3 });
      expect([...page1, ...page2, ...page3]).toEqual(all);
    });

    it('keeps only the last events of the retention window, and never reuses an id', async () => {
      const store = await open({ eventRetention: 5 });
      for (let i = 0; i < 12; i++) await store.events.add({ time: i, kind: 'k', message: `m${i}` });
      const kept = await store.events.list({ limit: 100 });
      expect(kept.map((e) => e.message)).toEqual(['m7', 'm8', 'm9', 'm10', 'm11']);
      await store.events.add({ time: 99, kind: 'k', message: 'after' });
      const [newest] = await store.events.list({ sinceId: kept[4].id });
      expect(newest.message).toBe('after');
      expect(newest.id).toBeGreaterThan(kept[4].id);
    });

    it('serialises concurrent writers without losing or duplicating events', async () => {
      const store = await open();
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.events.add({ time: i, kind: 'k', message: `m${i}` })));
      const listed = await store.events.list({ limit: 100 });
      expect(new Set(listed.map((e) => e.id)).size).toBe(50);
      expect(listed.map((e) => e.message).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`).sort());
    });
  });

  describe('registry', () => {
    const registration = (id: string, over: Record<string, unknown> = {}) => ({
      id,
      service: 'payments',
      address: '10.0.0.7',
      port: 8443,
      tags: ['eu', 'v2'],
      meta: { zone: 'eu-west-1a', note: 'it\'s "quoted" ☃' },
      status: 'passing',
      source: 'external',
      check: { ttlMs: 10_000, deregisterCriticalAfterMs: 60_000 },
      registeredAt: 1_700_000_000_123,
      modifyIndex: 42,
      ...over,
    });

    it('keeps each registration whole, replaced by id, listed by id', async () => {
      const store = await open();
      expect(await store.registry.list()).toEqual([]);
      await store.registry.put(registration('payments-b'));
      await store.registry.put(registration('payments-a', { output: 'TTL of 10s expired without a heartbeat', status: 'critical' }));
      await store.registry.put(registration('payments-b', { port: 9000, modifyIndex: 43 }));
      expect(await store.registry.list()).toEqual([
        registration('payments-a', { output: 'TTL of 10s expired without a heartbeat', status: 'critical' }),
        registration('payments-b', { port: 9000, modifyIndex: 43 }),
      ]);
    });

    it('delete forgets one registration and tolerates unknown ids', async () => {
      const store = await open();
      await store.registry.put(registration('a'));
      await store.registry.put(registration('b', { service: 'orders' }));
      await store.registry.delete('a');
      await store.registry.delete('a');
      await store.registry.delete('never-existed');
      expect(await store.registry.list()).toEqual([registration('b', { service: 'orders' })]);
    });

    it('writes many puts and deletes in one call: deletes first, the last put of an id winning', async () => {
      const store = await open();
      await store.registry.put(registration('old-1'));
      await store.registry.put(registration('old-2'));
      const many = Array.from({ length: 1200 }, (_, i) => registration(`r-${String(i).padStart(4, '0')}`, { port: 1000 + i }));
      await store.registry.write({
        delete: ['old-1', 'never-existed', 'r-0001'],
        put: [...many, registration('r-0001', { port: 1 }), registration('old-2', { modifyIndex: 99 })],
      });
      const listed = await store.registry.list();
      expect(listed).toHaveLength(1201);
      expect(listed.find((r) => r.id === 'old-1')).toBeUndefined();
      expect(listed.find((r) => r.id === 'r-0001')).toEqual(registration('r-0001', { port: 1 }));
      expect(listed.find((r) => r.id === 'old-2')).toEqual(registration('old-2', { modifyIndex: 99 }));
      expect(listed.find((r) => r.id === 'r-1199')).toEqual(registration('r-1199', { port: 2199 }));
      await store.registry.write({ delete: many.map((r) => r.id) });
      expect((await store.registry.list()).map((r) => r.id)).toEqual(['old-2']);
      await store.registry.write({});
    });
  });

  describe('meta', () => {
    it('reads undefined for an unknown key and round-trips values, the last one winning', async () => {
      const store = await open();
      expect(await store.meta.get('registry.index')).toBeUndefined();
      await store.meta.set('registry.index', '17');
      await store.meta.set('dns.port', '53053');
      await store.meta.set('registry.index', '18');
      expect(await store.meta.get('registry.index')).toBe('18');
      expect(await store.meta.get('dns.port')).toBe('53053');
      await store.meta.set('empty', '');
      expect(await store.meta.get('empty')).toBe('');
    });
  });

  runWorkflowStoreContract(() => open());

  it('close lets calls already made finish, then refuses new ones; it is idempotent', async () => {
    const store = await create();
    const writes = Array.from({ length: 20 }, (_, i) => store.services.put({ name: `s${i}`, replicas: i, stopped: false }));
    const read = store.services.list();
    await store.close();
    await expect(Promise.all(writes)).resolves.toHaveLength(20);
    expect((await read).length).toBeLessThanOrEqual(20);
    await expect(store.events.add({ time: 1, kind: 'k', message: 'late' })).rejects.toMatchObject({ code: 'TUTTI_E_INTERNAL' });
    await store.close();
  });
}
