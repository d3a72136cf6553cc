import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, testStackSpec, type TestApp } from '../test-app.js';

let t: TestApp;
afterEach(() => t?.close());

describe('stack routes', () => {
  it('answers 404 TUTTI_E_NO_STACK before anything is applied, then the status after PUT', async () => {
    t = await createTestApp({ withStack: false });
    let res = await t.app.inject({ url: '/api/v1/stack', headers: t.auth('viewer') });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'TUTTI_E_NO_STACK', hint: expect.stringContaining('tutti up') });

    const spec = testStackSpec('shop', ['catalog', 'orders']);
    res = await t.app.inject({ method: 'PUT', url: '/api/v1/stack', headers: t.auth('operator'), payload: { spec } });
    expect(res.statusCode).toBe(202);
    const op = res.json();
    expect(op).toMatchObject({ id: expect.any(String), kind: 'apply', done: false, events: [] });
    expect(t.orchestrator.calls.at(-1)).toEqual({ method: 'apply', args: [spec] });

    res = await t.app.inject({ url: '/api/v1/stack', headers: t.auth('viewer') });
    expect(res.statusCode).toBe(200);
    const status = res.json();
    expect(status).toEqual(t.orchestrator.status());
    expect(status.instances[0].lastExit).toEqual({ code: null, signal: 'SIGKILL', at: 1_700_000_000_400 });
  });

  it('adds CPU and memory to instances only when asked', async () => {
    t = await createTestApp();
    t.orchestrator.instanceStats = { 'orders-1': { cpu: 12.5, memory: 48_000_000 } };
    const plain = (await t.app.inject({ url: '/api/v1/stack', headers: t.auth('viewer') })).json();
    expect(plain.instances.find((i: { id: string }) => i.id === 'orders-1').cpu).toBeUndefined();
    const withStats = (await t.app.inject({ url: '/api/v1/stack?stats=true', headers: t.auth('viewer') })).json();
    expect(withStats.instances.find((i: { id: string }) => i.id === 'orders-1')).toMatchObject({ cpu: 12.5, memory: 48_000_000 });
    expect(withStats.instances.find((i: { id: string }) => i.id === 'catalog-1').cpu).toBeUndefined();
  });

  it('DELETE starts the down operation', async () => {
    t = await createTestApp();
    const res = await t.app.inject({ method: 'DELETE', url: '/api/v1/stack', headers: t.auth('admin') });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ kind: 'down', done: false });
    expect(t.orchestrator.status()).toBeNull();
  });
});

describe('service routes', () => {
  it('lists services in order and shows one', async () => {
    t = await createTestApp();
    const list = await t.app.inject({ url: '/api/v1/services', headers: t.auth('viewer') });
    expect(list.json().services.map((s: { name: string }) => s.name)).toEqual(['catalog', 'inventory', 'orders']);
    const one = await t.app.inject({ url: '/api/v1/services/orders', headers: t.auth('viewer') });
    expect(one.json()).toMatchObject({ name: 'orders', state: 'running', dependsOn: { catalog: 'healthy' } });
  });

  it('answers 404 TUTTI_E_UNKNOWN_SERVICE naming the known services', async () => {
    t = await createTestApp();
    const res = await t.app.inject({ url: '/api/v1/services/payments', headers: t.auth('viewer') });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      code: 'TUTTI_E_UNKNOWN_SERVICE',
      message: 'no service named payments in stack shop',
      hint: 'services: catalog, inventory, orders',
    });
  });

  it.each(['restart', 'stop', 'start'])('POST %s starts that operation on the service', async (action) => {
    t = await createTestApp();
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/services/inventory/${action}`, headers: t.auth('operator') });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ kind: action });
    expect(t.orchestrator.calls.at(-1)).toEqual({ method: action, args: ['inventory'] });
  });

  it('scales with a whole number of replicas and refuses anything else', async () => {
    t = await createTestApp();
    const ok = await t.app.inject({ method: 'PUT', url: '/api/v1/services/orders/scale', headers: t.auth('operator'), payload: { replicas: 3 } });
    expect(ok.statusCode).toBe(202);
    expect(t.orchestrator.calls.at(-1)).toEqual({ method: 'scale', args: ['orders', 3] });
    for (const payload of [{ replicas: 1.5 }, { replicas: -1 }, {}, { replicas: 'many' }]) {
      const res = await t.app.inject({ method: 'PUT', url: '/api/v1/services/orders/scale', headers: t.auth('operator'), payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().message).toMatch(/body\.replicas/);
    }
  });
});

describe('instance routes', () => {
  it('lists every instance or those of one service, with stats on request', async () => {
    t = await createTestApp();
    t.orchestrator.instanceStats = { 'orders-1': { cpu: 1, memory: 2 } };
    const all = (await t.app.inject({ url: '/api/v1/instances', headers: t.auth('viewer') })).json();
    expect(all.instances.map((i: { id: string }) => i.id)).toEqual(['catalog-1', 'inventory-1', 'orders-1']);
    const one = (await t.app.inject({ url: '/api/v1/instances?service=orders&stats=true', headers: t.auth('viewer') })).json();
    expect(one.instances).toHaveLength(1);
    expect(one.instances[0]).toMatchObject({ id: 'orders-1', pid: 1002, cpu: 1, memory: 2 });
  });

  it('answers 404 for an unknown service and when no stack is applied', async () => {
    t = await createTestApp();
    const res = await t.app.inject({ url: '/api/v1/instances?service=nope', headers: t.auth('viewer') });
    expect(res.json().code).toBe('TUTTI_E_UNKNOWN_SERVICE');
    await t.close();
    t = await createTestApp({ withStack: false });
    const none = await t.app.inject({ url: '/api/v1/instances', headers: t.auth('viewer') });
    expect(none.json().code).toBe('TUTTI_E_NO_STACK');
  });
});
