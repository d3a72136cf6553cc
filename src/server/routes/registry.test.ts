import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SELECTION, type ScoredInstance, type StackSpec } from '../../core/index.js';
import { createRegistry, type Registry, type RegistryEvent } from '../../registry/index.js';
import { openSqliteStore, type Store } from '../../store/index.js';
import { createTestApp, testStackSpec, waitFor, type TestApp, TOKENS } from '../test-app.js';
import type { SseMessage, SseStream } from '../sse.js';
import { openSse, type SseConnection } from '../test-sse.js';
import { MAX_QUEUED_EVENTS, watchRegistry } from './registry.js';

const dir = mkdtempSync(join(tmpdir(), 'tutti-registry-api-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let t: TestApp;
let store: Store;
let registry: Registry;
const streams: SseConnection[] = [];

async function start(opts: { historySize?: number } = {}): Promise<void> {
  store = await openSqliteStore(join(dir, `db-${n++}`, 'state.db'));
  registry = await createRegistry({ store: store.registry, meta: store.meta, historySize: opts.historySize });
  registry.setDeclaredServices(['catalog', 'inventory', 'orders']);
  t = await createTestApp({ listen: true, registry });
}

beforeEach(() => start());
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await t.close();
  await registry.close();
  await store.close();
});

type Role = keyof typeof TOKENS;

async function call(method: string, path: string, body?: unknown, role: Role = 'operator') {
  const res = await fetch(`${t.url}/api/v1${path}`, {
    method,
    headers: { ...t.auth(role), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, index: res.headers.get('x-tutti-index'), body: text ? JSON.parse(text) : undefined };
}

const payments = (id: string, over: Record<string, unknown> = {}) => ({ id, service: 'payments', address: '10.0.0.7', port: 8443, ...over });

async function watch(query = '', headers: Record<string, string> = {}): Promise<SseConnection> {
  const conn = await openSse(`${t.url}/api/v1/registry/watch${query}`, { ...t.auth('viewer'), ...headers });
  streams.push(conn);
  return conn;
}

describe('registry API: instances', () => {
  it('registers, reads, lists, heartbeats and deregisters an external instance, with the index in every answer', async () => {
    const created = await call('POST', '/registry/instances', payments('pay-1', { tags: ['eu'], meta: { zone: 'a' }, check: { ttl: '30s' } }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'pay-1', status: 'passing', source: 'external', modifyIndex: 1, check: { ttlMs: 30_000 } });
    expect(created.index).toBe('1');

    expect(await call('GET', '/registry/instances/pay-1', undefined, 'viewer')).toMatchObject({ status: 200, index: '1', body: { id: 'pay-1' } });
    const listed = await call('GET', '/registry/services/payments/instances?tag=eu', undefined, 'viewer');
    expect(listed).toMatchObject({ status: 200, index: '1', body: { index: 1, instances: [{ id: 'pay-1', tags: ['eu'] }] } });
    expect((await call('GET', '/registry/services/payments/instances?tag=eu&tag=us')).body.instances).toEqual([]);

    const warned = await call('PUT', '/registry/instances/pay-1/heartbeat', { status: 'warning', output: 'slow disk' });
    expect(warned).toMatchObject({ status: 200, body: { status: 'warning', output: 'slow disk', modifyIndex: 2 } });
    expect((await call('GET', '/registry/services/payments/instances?healthy=true')).body.instances).toHaveLength(1);
    expect(await call('PUT', '/registry/instances/pay-1/heartbeat')).toMatchObject({ status: 200, body: { status: 'passing' } });

    const services = await call('GET', '/registry/services', undefined, 'viewer');
    expect(services.body.services).toEqual([
      { name: 'catalog', instances: 0, passing: 0, warning: 0, critical: 0, tags: [], declared: true },
      { name: 'inventory', instances: 0, passing: 0, warning: 0, critical: 0, tags: [], declared: true },
      { name: 'orders', instances: 0, passing: 0, warning: 0, critical: 0, tags: [], declared: true },
      { name: 'payments', instances: 1, passing: 1, warning: 0, critical: 0, tags: ['eu'], declared: false },
    ]);

    expect(await call('DELETE', '/registry/instances/pay-1')).toMatchObject({ status: 200, index: '4', body: { id: 'pay-1', modifyIndex: 4 } });
    expect(await call('GET', '/registry/instances/pay-1')).toMatchObject({ status: 404, index: '4', body: { code: 'TUTTI_E_NOT_FOUND' } });
    expect(await store.registry.list()).toEqual([]);
  });

  it('lists instances tutti runs beside external ones and refuses to deregister them', async () => {
    registry.syncLocal({ id: 'orders-0', service: 'orders', revision: 'r1', slot: 0, address: '127.0.0.1', port: 41000, state: 'running', health: 'passing', ready: true, restarts: 0, createdAt: 0 });
    expect((await call('GET', '/registry/services/orders/instances')).body.instances).toMatchObject([{ id: 'orders-0', source: 'local', status: 'passing' }]);
    const refused = await call('DELETE', '/registry/instances/orders-0');
    expect(refused).toMatchObject({ status: 400, body: { code: 'TUTTI_E_BAD_REQUEST', hint: 'stop the service instead: tutti stop orders' } });
  });

  it.each([
    ['a missing service', 'POST', '/registry/instances', { address: '10.0.0.7', port: 1 }, 400, /body\.service is required/],
    ['a missing address', 'POST', '/registry/instances', { service: 'payments', port: 1 }, 400, /body\.address is required/],
    ['a missing port', 'POST', '/registry/instances', { service: 'payments', address: '10.0.0.7' }, 400, /body\.port is required/],
    ['port 0', 'POST', '/registry/instances', payments('x', { port: 0 }), 400, /body\.port must be >= 1/],
    ['port 70000', 'POST', '/registry/instances', payments('x', { port: 70000 }), 400, /body\.port must be <= 65535/],
    ['two checks', 'POST', '/registry/instances', payments('x', { check: { ttl: '10s', tcp: true } }), 400, /check has ttl and tcp; give only one/],
    ['a bad duration', 'POST', '/registry/instances', payments('x', { check: { ttl: 'soon' } }), 400, /check\.ttl "soon" is not a duration/],
    ['an unknown field', 'POST', '/registry/instances', payments('x', { weight: 3 }), 400, /body\.weight is not a known field/],
    ['a bad service name', 'POST', '/registry/instances', payments('x', { service: 'Pay Ments' }), 400, /"Pay Ments" is not a valid service name/],
    ['a bad address', 'POST', '/registry/instances', payments('x', { address: 'http://x' }), 400, /neither an IP address nor a host name/],
    ['a local instance id', 'POST', '/registry/instances', payments('orders-0', { service: 'orders' }), 400, /belongs to an instance tutti runs/],
    ['an unknown service in a query', 'GET', '/registry/services/paymnts/instances', undefined, 404, /no service named paymnts/],
    ['a malformed index', 'GET', '/registry/services/payments/instances?index=abc', undefined, 400, /querystring\.index "abc" is not a registry index/],
    ['a negative index', 'GET', '/registry/services/payments/instances?index=-1', undefined, 400, /querystring\.index/],
    ['a malformed wait', 'GET', '/registry/services/payments/instances?index=1&wait=forever', undefined, 400, /querystring\.wait "forever" is not a duration/],
    ['a heartbeat of a non-TTL instance', 'PUT', '/registry/instances/pay-1/heartbeat', {}, 400, /has no TTL check/],
    ['a heartbeat with a bad status', 'PUT', '/registry/instances/pay-1/heartbeat', { status: 'fine' }, 400, /body\.status must be one of passing, warning, critical/],
    ['a heartbeat of an unknown instance', 'PUT', '/registry/instances/nope/heartbeat', {}, 404, /no instance with id nope/],
    ['deregistering an unknown instance', 'DELETE', '/registry/instances/nope', undefined, 404, /no instance with id nope/],
    ['scores of an unknown service', 'GET', '/registry/services/nope/scores', undefined, 404, /no service named nope/],
    ['watching an unknown service', 'GET', '/registry/watch?service=nope', undefined, 404, /no service named nope/],
    ['watching from a malformed index', 'GET', '/registry/watch?index=1.5', undefined, 400, /querystring\.index "1\.5"/],
  ])('refuses %s with a clear message and changes nothing', async (_name, method, path, body, status, message) => {
    registry.syncLocal({ id: 'orders-0', service: 'orders', revision: 'r1', slot: 0, address: '127.0.0.1', port: 41000, state: 'running', health: 'passing', ready: true, restarts: 0, createdAt: 0 });
    await call('POST', '/registry/instances', payments('pay-1'));
    const before = registry.index();
    const res = await call(method, path, body);
    expect(res.status).toBe(status);
    expect(res.body.message).toMatch(message);
    expect(res.body.hint).toBeTruthy();
    expect(res.index).toBe(String(before));
    expect(registry.index()).toBe(before);
    expect(registry.instances('payments').map((i) => i.id)).toEqual(['pay-1']);
  });

  it('suggests the service a typo meant', async () => {
    await call('POST', '/registry/instances', payments('pay-1'));
    expect((await call('GET', '/registry/services/paymnts/instances')).body.hint).toBe('did you mean "payments"?');
  });

  it('lets viewers read but not register, heartbeat or deregister', async () => {
    await call('POST', '/registry/instances', payments('pay-1', { check: { ttl: '1m' } }));
    expect((await call('POST', '/registry/instances', payments('pay-2'), 'viewer')).status).toBe(403);
    expect((await call('PUT', '/registry/instances/pay-1/heartbeat', {}, 'viewer')).status).toBe(403);
    expect((await call('DELETE', '/registry/instances/pay-1', undefined, 'viewer')).status).toBe(403);
    expect((await call('GET', '/registry/services/payments/instances', undefined, 'viewer')).status).toBe(200);
    expect(registry.index()).toBe(1);
    const anonymous = await fetch(`${t.url}/api/v1/registry/services`);
    expect(anonymous.status).toBe(401);
  });
});

describe('registry API: blocking queries', () => {
  it('holds the answer until the service changes, ignoring other services', async () => {
    await call('POST', '/registry/instances', payments('pay-1'));
    let settled = false;
    const held = call('GET', '/registry/services/payments/instances?index=1&wait=30s').then((r) => {
      settled = true;
      return r;
    });
    await call('POST', '/registry/instances', { service: 'orders', address: '10.0.0.9', port: 1 });
    // a request sent after the one held has been answered, so the held one had its chance
    expect((await call('GET', '/registry/services')).status).toBe(200);
    expect(settled).toBe(false);
    await call('POST', '/registry/instances', payments('pay-2'));
    const res = await held;
    expect(res).toMatchObject({ status: 200, index: '3', body: { index: 3 } });
    expect(res.body.instances.map((i: { id: string }) => i.id)).toEqual(['pay-1', 'pay-2']);
  });

  it('answers the current list when the wait elapses, and at once for an index already passed', async () => {
    await call('POST', '/registry/instances', payments('pay-1'));
    const started = Date.now();
    const res = await call('GET', '/registry/services/payments/instances?index=1&wait=300ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(res).toMatchObject({ status: 200, index: '1', body: { index: 1, instances: [{ id: 'pay-1' }] } });
    const quick = Date.now();
    expect((await call('GET', '/registry/services/payments/instances?index=0&wait=5m')).body.index).toBe(1);
    expect((await call('GET', '/registry/services/orders/instances?index=0&wait=5m')).body).toEqual({ index: 1, instances: [] });
    expect(Date.now() - quick).toBeLessThan(2000);
  });

  it('stops waiting when the client goes away', async () => {
    const signals: AbortSignal[] = [];
    const waitForChange = registry.waitForChange.bind(registry);
    registry.waitForChange = (since, opts) => {
      if (opts.signal) signals.push(opts.signal);
      return waitForChange(since, opts);
    };
    await call('POST', '/registry/instances', payments('pay-1'));
    const req = http.get(`${t.url}/api/v1/registry/services/orders/instances?index=1&wait=10m`, { headers: t.auth('viewer') });
    req.on('error', () => {});
    await waitFor(() => signals.length === 1, 'the blocking query to be held');
    expect(signals[0].aborted).toBe(false);
    req.destroy();
    await waitFor(() => signals[0].aborted, 'the blocking query to be released');
  });
});

describe('registry API: watch', () => {
  const changeIds = (conn: SseConnection) => conn.events.filter((e) => e.event === 'change').map((e) => Number(e.id));

  it('starts with a reset snapshot, then streams each change with its index', async () => {
    await call('POST', '/registry/instances', payments('pay-1'));
    const conn = await watch();
    expect(conn.headers['x-tutti-index']).toBe('1');
    const [reset] = await conn.waitForEvents(1);
    expect(reset.event).toBe('reset');
    expect(reset.id).toBe('1');
    expect(JSON.parse(reset.data)).toMatchObject({ index: 1, instances: [{ id: 'pay-1' }] });
    await call('POST', '/registry/instances', payments('pay-2'));
    await call('DELETE', '/registry/instances/pay-1');
    const events = await conn.waitForEvents(3);
    expect(events.slice(1).map((e) => [e.event, e.id, (JSON.parse(e.data) as RegistryEvent).type])).toEqual([
      ['change', '2', 'registered'],
      ['change', '3', 'deregistered'],
    ]);
  });

  it('resumes after Last-Event-ID with each change exactly once, in order, while changes keep coming', async () => {
    const first = await watch('?index=0');
    for (let i = 0; i < 5; i++) await call('POST', '/registry/instances', payments(`pay-${i}`));
    await first.waitForEvents(5);
    expect(changeIds(first)).toEqual([1, 2, 3, 4, 5]);
    first.close();

    // changes while disconnected, and more racing with the reconnection
    for (let i = 5; i < 10; i++) await call('POST', '/registry/instances', payments(`pay-${i}`));
    const racing = Promise.all(Array.from({ length: 40 }, (_, i) => call('POST', '/registry/instances', payments(`pay-${10 + i}`))));
    const second = await watch('', { 'last-event-id': '5' });
    await racing;
    await second.waitForEvents(45);
    // one more, so a late duplicate would show up before it
    await call('POST', '/registry/instances', payments('pay-last'));
    await second.waitForEvents(46);
    expect(changeIds(second)).toEqual(Array.from({ length: 46 }, (_, i) => 6 + i));
    expect(second.events.every((e) => e.event === 'change')).toBe(true);
  });

  it('follows one service, resuming by ?index= as well', async () => {
    const orders = (id: string) => ({ id, service: 'orders', address: '10.0.0.1', port: 1 });
    const conn = await watch('?service=orders&index=0');
    await call('POST', '/registry/instances', payments('pay-1'));
    await call('POST', '/registry/instances', orders('o-1'));
    await call('POST', '/registry/instances', payments('pay-2'));
    await call('POST', '/registry/instances', orders('o-2'));
    await conn.waitForEvents(2);
    expect(changeIds(conn)).toEqual([2, 4]);
    conn.close();
    await call('POST', '/registry/instances', payments('pay-3'));
    await call('POST', '/registry/instances', orders('o-3'));
    const again = await watch('?service=orders&index=4');
    await again.waitForEvents(1);
    expect(again.events.map((e) => [e.event, e.id])).toEqual([['change', '6']]);
    expect(JSON.parse(again.events[0].data)).toMatchObject({ service: 'orders', instance: { id: 'o-3' } });
  });
});

describe('registry API: history limits and scores', () => {
  it('resets a watcher whose index is older than the kept history', async () => {
    await t.close();
    await registry.close();
    await store.close();
    await start({ historySize: 3 });
    for (let i = 0; i < 6; i++) await call('POST', '/registry/instances', payments(`pay-${i}`));
    const conn = await watch('', { 'last-event-id': '1' });
    const [reset] = await conn.waitForEvents(1);
    expect(reset).toMatchObject({ event: 'reset', id: '6' });
    expect(JSON.parse(reset.data).instances).toHaveLength(6);
    await call('POST', '/registry/instances', payments('pay-6'));
    await conn.waitForEvents(2);
    expect(conn.events[1]).toMatchObject({ event: 'change', id: '7' });
  });

  it("answers the orchestrator's scores with the service's selection, defaults when the stack sets none", async () => {
    const scored: ScoredInstance = {
      id: 'orders-0', terms: { latency: 1, success: 1, load: 0.5, health: 1 }, weights: { ...DEFAULT_SELECTION.weights },
      score: 0.92, successEwma: 1, inFlight: 1, requests: 10,
    };
    t.orchestrator.instanceScores.orders = [scored];
    const res = await call('GET', '/registry/services/orders/scores', undefined, 'viewer');
    expect(res).toMatchObject({ status: 200, body: { service: 'orders', strategy: 'qos', instances: [scored] } });
    expect(res.body.weights.latency).toBeCloseTo(DEFAULT_SELECTION.weights.latency);

    const spec: StackSpec = testStackSpec();
    spec.services.orders.selection = { strategy: 'round-robin', weights: { latency: 2, success: 1, load: 1, health: 0 }, outlier: DEFAULT_SELECTION.outlier };
    Object.assign(t.orchestrator, { spec: () => spec });
    const custom = await call('GET', '/registry/services/orders/scores');
    expect(custom.body).toMatchObject({ strategy: 'round-robin', weights: { latency: 0.5, success: 0.25, load: 0.25, health: 0 } });
  });
});

describe('registry API: documentation', () => {
  it('appears in the OpenAPI document with its errors', async () => {
    const doc = (await call('GET', '/openapi.json', undefined, 'viewer')).body as {
      paths: Record<string, Record<string, { tags: string[]; responses: Record<string, unknown> }>>;
    };
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path.includes('/registry/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual([
      'DELETE /api/v1/registry/instances/{id}',
      'GET /api/v1/registry/instances/{id}',
      'GET /api/v1/registry/services',
      'GET /api/v1/registry/services/{service}/instances',
      'GET /api/v1/registry/services/{service}/scores',
      'GET /api/v1/registry/watch',
      'POST /api/v1/registry/instances',
      'PUT /api/v1/registry/instances/{id}/heartbeat',
    ]);
    const register = doc.paths['/api/v1/registry/instances'].post;
    expect(register.tags).toEqual(['registry']);
    expect(Object.keys(register.responses).sort()).toEqual(['201', '400', '401', '403', '500']);
  });
});

describe('watchRegistry', () => {
  it('queues behind a full socket in order, and ends the stream of a client too far behind', async () => {
    const sent: SseMessage[] = [];
    const abort = new AbortController();
    let full = false;
    let drained!: () => void;
    const stream: SseStream = {
      signal: abort.signal,
      get closed() {
        return abort.signal.aborted;
      },
      send: (m) => (sent.push(m), !full),
      comment: () => {},
      drained: () => new Promise<void>((r) => (drained = r)),
      close: () => abort.abort(),
    };
    watchRegistry(registry, stream, { from: 0 });
    full = true;
    await registry.register(payments('pay-0')); // written, but the socket is now full
    await registry.register(payments('pay-1')); // queued
    expect(sent.map((m) => m.id)).toEqual([1]);
    full = false;
    drained();
    await waitFor(() => sent.length === 2, 'the queue to drain');
    expect(sent.map((m) => m.id)).toEqual([1, 2]);

    full = true;
    await registry.register(payments('pay-2'));
    for (let i = 0; i <= MAX_QUEUED_EVENTS; i++) registry.syncLocal({ id: 'orders-0', service: 'orders', revision: 'r', slot: 0, address: '127.0.0.1', port: 1000 + i, state: 'running', health: 'passing', ready: true, restarts: 0, createdAt: 0 });
    expect(stream.closed).toBe(true);
    const count = sent.length;
    await registry.register(payments('pay-3'));
    expect(sent.length).toBe(count); // nothing more is sent
  });
});
