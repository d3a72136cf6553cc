import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type Store } from '../../store/index.js';
import { createEventBus, type MemoryEventBus } from '../../workflow/events/index.js';
import { createLazyWorkflowService, type WorkflowService } from '../../workflow/service/index.js';
import { createTestApp, TOKENS, type TestApp } from '../test-app.js';
import { openSse, type SseConnection } from '../test-sse.js';
import { waitFor } from '../../core/test-wait.js';

const dir = mkdtempSync(join(tmpdir(), 'tutti-workflow-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SERVICE_TOKEN = 'service-token-dddd';
type Role = keyof typeof TOKENS | 'service';
const tokenOf = (role: Role) => (role === 'service' ? SERVICE_TOKEN : TOKENS[role]);

let n = 0;
let t: TestApp;
let store: Store;
let workflows: WorkflowService;
let bus: MemoryEventBus;
const streams: SseConnection[] = [];

beforeEach(async () => {
  store = await openSqliteStore(join(dir, `db-${n++}`, 'state.db'));
  bus = createEventBus();
  workflows = createLazyWorkflowService({ store: store.workflows, meta: store.meta, logger: pino({ level: 'silent' }), events: bus });
  t = await createTestApp({
    listen: true,
    workflows,
    eventBus: bus,
    tokens: { [TOKENS.viewer]: 'viewer', [TOKENS.operator]: 'operator', [TOKENS.admin]: 'admin', [SERVICE_TOKEN]: 'service' },
  });
});
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await t.close();
  await workflows.close();
  await store.close();
});

async function call(method: string, path: string, body?: unknown, role: Role = 'operator', headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokenOf(role)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const until = <T>(fn: () => Promise<T>, what: string, ms = 10_000) => waitFor(fn, { timeout: ms, interval: 10, message: what });

const doc = (name: string, body: string, version = '1.0.0') => `document: { dsl: '1.0.3', namespace: test, name: ${name}, version: '${version}', title: ${name} title }\n${body}`;
const GREET = doc('greet', `do:\n  - hello:\n      set:\n        message: \${ "hello " + .name }\n`);
const SLOW = doc('slow', `do:\n  - first:\n      set: { step: 1 }\n  - pause:\n      wait: PT0.3S\n  - last:\n      set: { step: 2 }\n`);
const LISTEN = doc('waiter', `do:\n  - hear:\n      listen:\n        to:\n          one:\n            with: { type: com.example.ping }\n`);

const finished = (id: string) =>
  until(async () => {
    const r = await call('GET', `/runs/${id}`, undefined, 'viewer');
    return ['completed', 'faulted', 'cancelled'].includes(r.body.run.status) && r.body.run;
  }, `run ${id} to end`);

describe('workflow API: definitions', () => {
  it('deploys (201), lists, reads a version back, and answers 409 for a changed source under the same version', async () => {
    expect(await call('POST', '/workflows', { source: GREET, file: 'greet.yaml' })).toEqual({ status: 201, body: { name: 'greet', version: '1.0.0', created: true } });
    expect((await call('POST', '/workflows', { source: GREET })).body.created).toBe(false);
    await call('POST', '/workflows', { source: GREET.replace("version: '1.0.0'", "version: '1.1.0'") });
    const list = await call('GET', '/workflows', undefined, 'viewer');
    expect(list.status).toBe(200);
    expect(list.body.workflows).toEqual([
      { name: 'greet', version: '1.1.0', versions: ['1.1.0', '1.0.0'], namespace: 'test', title: 'greet title', createdAt: expect.any(Number), origin: 'api' },
    ]);
    const one = await call('GET', '/workflows/greet?version=1.0.0', undefined, 'viewer');
    expect(one.body).toMatchObject({ name: 'greet', version: '1.0.0', versions: ['1.1.0', '1.0.0'], namespace: 'test', source: GREET });
    expect(one.body.document.do[0].hello).toBeDefined();
    const conflict = await call('POST', '/workflows', { source: GREET.replace('hello ', 'hi '), file: 'greet.yaml' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('TUTTI_E_CONFLICT');
    expect((await call('GET', '/workflows/nope', undefined, 'viewer')).status).toBe(404);
    expect((await call('GET', '/workflows/greet?version=3.0.0', undefined, 'viewer')).status).toBe(404);
  });

  it('answers 400 naming file:line:col and pointer for schema errors, unknown tasks in then and jq syntax errors', async () => {
    const cases: Array<[string, RegExp]> = [
      [doc('bad', `do:\n  - get:\n      call: http\n      with: { method: get }\n`), /^bad\.yaml:\d+:\d+ \/do\/0\/get/],
      [doc('bad', `do:\n  - a:\n      set: { x: 1 }\n      then: nowhere\n`), /^bad\.yaml:5:\d+ \/do\/0\/a\/then: "then: nowhere" names no task/],
      [doc('bad', `do:\n  - a:\n      set:\n        x: \${ .a == }\n`), /^bad\.yaml:5:12 \/do\/0\/a\/set\/x: invalid jq expression/],
    ];
    for (const [source, message] of cases) {
      const r = await call('POST', '/workflows', { source, file: 'bad.yaml' });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('TUTTI_E_BAD_REQUEST');
      expect(r.body.message).toMatch(message);
      expect(r.body.details.problems[0]).toMatchObject({ pointer: expect.stringMatching(/^\/do\/0/), line: expect.any(Number), column: expect.any(Number) });
    }
    expect((await call('POST', '/workflows', { source: GREET, extra: 1 })).status).toBe(400);
    expect((await call('GET', '/workflows', undefined, 'viewer')).body.workflows).toEqual([]);
  });

  it('needs the operator role to deploy and start runs; viewers read', async () => {
    expect((await call('POST', '/workflows', { source: GREET }, 'viewer')).status).toBe(403);
    expect((await call('POST', '/workflows', { source: GREET }, 'service')).status).toBe(403);
    await call('POST', '/workflows', { source: GREET });
    expect((await call('POST', '/workflows/greet/runs', {}, 'viewer')).status).toBe(403);
    expect((await call('GET', '/runs', undefined, 'viewer')).status).toBe(200);
  });
});

describe('workflow API: runs', () => {
  it('starts a run (201) that completes; lists runs with filters and a cursor; shows one with its tasks', async () => {
    await call('POST', '/workflows', { source: GREET });
    const started = await call('POST', '/workflows/greet/runs', { input: { name: 'ada' } });
    expect(started.status).toBe(201);
    expect(started.body.run).toMatchObject({ workflow: 'greet', version: '1.0.0', input: { name: 'ada' } });
    const run = await finished(started.body.run.id);
    expect(run).toMatchObject({ status: 'completed', output: { message: 'hello ada' }, context: {} });
    expect(run.tasks).toEqual([expect.objectContaining({ key: '/do/0/hello#0', name: 'hello', pointer: '/do/0/hello', status: 'completed' })]);

    const second = (await call('POST', '/workflows/greet/runs')).body.run; // no body: input {}
    await finished(second.id);
    const page = await call('GET', '/runs?workflow=greet&limit=1', undefined, 'viewer');
    expect(page.body.runs.map((r: { id: string }) => r.id)).toEqual([second.id]);
    const next = await call('GET', `/runs?workflow=greet&limit=1&before=${encodeURIComponent(page.body.next)}`, undefined, 'viewer');
    expect(next.body.runs.map((r: { id: string }) => r.id)).toEqual([started.body.run.id]);
    expect((await call('GET', '/runs?status=faulted', undefined, 'viewer')).body.runs).toEqual([]);
    expect((await call('GET', '/runs?since=1h', undefined, 'viewer')).body.runs).toHaveLength(2);
    expect((await call('GET', '/runs?until=1h', undefined, 'viewer')).body.runs).toHaveLength(0);
    expect((await call('GET', `/runs?since=${new Date(Date.now() + 60_000).toISOString()}`, undefined, 'viewer')).body.runs).toHaveLength(0);
    const bad = await call('GET', '/runs?since=yesterday', undefined, 'viewer');
    expect([bad.status, bad.body.message]).toEqual([400, expect.stringContaining('querystring.since')]);
    expect((await call('GET', '/runs?status=done', undefined, 'viewer')).status).toBe(400);
    expect((await call('GET', '/runs/nope', undefined, 'viewer')).status).toBe(404);
    expect((await call('POST', '/workflows/nope/runs', {})).status).toBe(404);
    expect((await call('POST', '/workflows/greet/runs', { version: '9.0.0' })).status).toBe(404);
  });

  it('suspends, resumes and cancels runs; 409 when the status does not allow it, 404 for unknown runs', async () => {
    await call('POST', '/workflows', { source: SLOW });
    const { id } = (await call('POST', '/workflows/slow/runs', {})).body.run;
    await until(async () => (await call('GET', `/runs/${id}`, undefined, 'viewer')).body.run.position?.pointer === '/do/1/pause', 'the wait');
    expect(await call('POST', `/runs/${id}/suspend`)).toMatchObject({ status: 200, body: { run: { id, status: 'suspended' } } });
    const again = await call('POST', `/runs/${id}/suspend`);
    expect([again.status, again.body.code]).toEqual([409, 'TUTTI_E_CONFLICT']);
    expect((await call('POST', `/runs/${id}/resume`)).body.run.status).toBe('running');
    expect((await finished(id)).output).toEqual({ step: 2 });
    const late = await call('POST', `/runs/${id}/resume`);
    expect([late.status, late.body.message]).toEqual([409, `run ${id} is completed: it cannot be resumed`]);
    expect((await call('POST', `/runs/${id}/cancel`)).status).toBe(409);

    const other = (await call('POST', '/workflows/slow/runs', {})).body.run.id;
    expect((await call('POST', `/runs/${other}/cancel`)).body.run.status).toBe('cancelled');
    expect((await call('POST', `/runs/${other}/cancel`, undefined, 'viewer')).status).toBe(403);
    expect((await call('POST', '/runs/nope/cancel')).status).toBe(404);
  });

  it('watch streams the current summary, task events and the end, then closes', async () => {
    await call('POST', '/workflows', { source: SLOW });
    const { id } = (await call('POST', '/workflows/slow/runs', {})).body.run;
    const conn = await openSse(`${t.url}/api/v1/runs/${id}/watch`, { authorization: `Bearer ${TOKENS.viewer}` });
    streams.push(conn);
    expect(conn.status).toBe(200);
    await conn.ended;
    const events = conn.events.map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
    expect(events[0]).toMatchObject({ event: 'run', data: { id, status: 'running' } });
    expect(events.at(-1)).toMatchObject({ event: 'run', data: { id, status: 'completed', output: { step: 2 } } });
    const tasks = events.filter((e) => e.event === 'task').map((e) => `${e.data.name} ${e.data.type}`);
    expect(tasks).toContain('pause completed');
    expect(tasks.at(-1)).toBe('last completed');
    expect(events.filter((e) => e.event === 'task').every((e) => e.data.run === id && typeof e.data.key === 'string')).toBe(true);

    // a run that has ended: its summary, then the end of the stream
    const done = await openSse(`${t.url}/api/v1/runs/${id}/watch`, { authorization: `Bearer ${TOKENS.viewer}` });
    streams.push(done);
    await done.ended;
    expect(done.events.map((e) => [e.event, JSON.parse(e.data).status])).toEqual([['run', 'completed']]);
    const missing = await openSse(`${t.url}/api/v1/runs/nope/watch`, { authorization: `Bearer ${TOKENS.viewer}` });
    streams.push(missing);
    expect(missing.status).toBe(404);
  });
});

describe('events API', () => {
  it('accepts a structured event (202, id and time filled in) that wakes a listen', async () => {
    await call('POST', '/workflows', { source: LISTEN });
    const { id } = (await call('POST', '/workflows/waiter/runs', {})).body.run;
    await until(async () => (await call('GET', `/runs/${id}`, undefined, 'viewer')).body.run.position?.pointer === '/do/0/hear', 'the listen');
    const sent = await call('POST', '/events', JSON.stringify({ specversion: '1.0', source: '/tests', type: 'com.example.ping', data: { n: 1 } }), 'service', {
      'content-type': 'application/cloudevents+json',
    });
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ id: expect.any(String), seq: 1 });
    const run = await finished(id);
    expect(run.status).toBe('completed');
    expect(run.output).toEqual([{ n: 1 }]);
    expect(bus.recent()[0].event.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('accepts a binary event: ce-* headers, the body as data', async () => {
    await call('POST', '/workflows', { source: LISTEN });
    const { id } = (await call('POST', '/workflows/waiter/runs', {})).body.run;
    await until(async () => (await call('GET', `/runs/${id}`, undefined, 'viewer')).body.run.position?.pointer === '/do/0/hear', 'the listen');
    const sent = await call('POST', '/events', JSON.stringify({ n: 2 }), 'operator', {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'ping-2',
      'ce-source': '/tests',
      'ce-type': 'com.example.ping',
    });
    expect(sent).toEqual({ status: 202, body: { id: 'ping-2', seq: 1 } });
    expect(bus.recent()[0].event).toMatchObject({ id: 'ping-2', data: { n: 2 }, datacontenttype: 'application/json' });
    expect((await finished(id)).status).toBe('completed');

    const text = await call('POST', '/events', 'plain words', 'service', { 'content-type': 'text/plain', 'ce-specversion': '1.0', 'ce-source': '/tests', 'ce-type': 'com.example.text' });
    expect(text.status).toBe(202);
    expect(bus.recent()[1].event.data).toBe('plain words');
  });

  it('answers 400 naming the missing or invalid attribute, and 403 to viewers', async () => {
    const missing = await call('POST', '/events', JSON.stringify({ specversion: '1.0', source: '/tests' }), 'service', { 'content-type': 'application/cloudevents+json' });
    expect([missing.status, missing.body.message]).toEqual([400, 'CloudEvent attribute "type" is required.']);
    const badTime = await call('POST', '/events', '{}', 'service', { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-source': '/x', 'ce-type': 't', 'ce-time': 'noon' });
    expect([badTime.status, badTime.body.details]).toEqual([400, { attribute: 'time' }]);
    const none = await call('POST', '/events', { hello: 1 }, 'service');
    expect([none.status, none.body.message]).toEqual([400, 'The request carries no CloudEvent.']);
    expect((await call('POST', '/events', JSON.stringify({ specversion: '1.0', source: '/t', type: 't' }), 'viewer', { 'content-type': 'application/cloudevents+json' })).status).toBe(403);
    expect(bus.seq).toBe(0);
  });
});

describe('workflow API: OpenAPI', () => {
  it('documents the workflow, run and event routes', async () => {
    const doc = (await call('GET', '/openapi.json', undefined, 'viewer')).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /api/v1/workflows',
        'POST /api/v1/workflows',
        'GET /api/v1/workflows/{name}',
        'POST /api/v1/workflows/{name}/runs',
        'GET /api/v1/runs',
        'GET /api/v1/runs/{id}',
        'POST /api/v1/runs/{id}/cancel',
        'POST /api/v1/runs/{id}/suspend',
        'POST /api/v1/runs/{id}/resume',
        'GET /api/v1/runs/{id}/watch',
        'POST /api/v1/events',
      ]),
    );
  });
});
