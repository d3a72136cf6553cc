import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TuttiError } from '../../core/index.js';
import { WorkflowRecorder } from '../../monitor/metrics/workflow-recorder.js';
import { readLogHistory } from '../../runtime/process/log-reader.js';
import { openSqliteStore, type Store } from '../../store/index.js';
import { createEventBus } from '../events/index.js';
import { createLazyWorkflowService } from './lazy-service.js';
import type { RunWatchEvent, WorkflowService } from './types.js';
import { createWorkflowService, type WorkflowServiceOptions } from './workflow-service.js';
import { waitFor } from '../../core/test-wait.js';

const root = mkdtempSync(path.join(tmpdir(), 'tutti-wf-service-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const logger = pino({ level: 'silent' });

const doc = (name: string, body: string, version = '1.0.0') => `document: { dsl: '1.0.3', namespace: test, name: ${name}, version: '${version}' }\n${body}`;

const until = <T>(fn: () => T | Promise<T>, what: string, ms = 10_000) => waitFor(fn, { timeout: ms, interval: 10, message: what });

async function rejection(p: Promise<unknown>): Promise<TuttiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TuttiError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

let n = 0;
let dir: string;
let store: Store;
let services: WorkflowService[];

beforeEach(async () => {
  dir = path.join(root, `case-${n++}`);
  store = await openSqliteStore(path.join(dir, 'state.db'));
  services = [];
});
afterEach(async () => {
  for (const s of services) await s.close();
  await store.close();
});

async function service(over: Partial<WorkflowServiceOptions> = {}): Promise<WorkflowService> {
  const s = await createWorkflowService({ store: store.workflows, meta: store.meta, logger, logDir: path.join(dir, 'logs'), ...over });
  services.push(s);
  return s;
}

const GREET = doc('greet', `do:\n  - hello:\n      set:\n        message: \${ "hello " + .name }\n`);
const SLOW = (wait = 'PT30S') => doc('slow', `do:\n  - first:\n      set: { step: 1 }\n  - pause:\n      wait: ${wait}\n  - last:\n      set: { step: 2 }\n`);

describe('deploying definitions', () => {
  it('stores a definition once, lists it with its versions and origin, and refuses a changed source under the same version', async () => {
    const s = await service();
    expect(await s.deploy({ source: GREET, file: 'greet.yaml' })).toEqual({ name: 'greet', version: '1.0.0', created: true });
    expect(await s.deploy({ source: GREET, file: 'greet.yaml' })).toEqual({ name: 'greet', version: '1.0.0', created: false });
    await s.deployAll([{ source: GREET.replace("version: '1.0.0'", "version: '1.1.0'"), file: 'greet.yaml' }], 'manifest');
    const [summary] = await s.listWorkflows();
    expect(summary).toMatchObject({ name: 'greet', version: '1.1.0', versions: ['1.1.0', '1.0.0'], namespace: 'test', origin: 'manifest' });
    expect((await s.getWorkflow('greet', '1.0.0')).source).toBe(GREET);
    expect((await s.getWorkflow('greet')).version).toBe('1.1.0');

    const conflict = await rejection(s.deploy({ source: GREET.replace('hello ', 'hi '), file: 'greet.yaml' }));
    expect(conflict.code).toBe('TUTTI_E_CONFLICT');
    expect(conflict.message).toContain('greet.yaml: workflow greet version 1.0.0 is already deployed with a different definition');
    expect((await rejection(s.getWorkflow('nope'))).code).toBe('TUTTI_E_NOT_FOUND');
    expect((await rejection(s.getWorkflow('greet', '9.9.9'))).hint).toContain('1.1.0, 1.0.0');
  });

  it('rejects a bad document naming file, line, column and pointer of every problem, and stores nothing', async () => {
    const s = await service();
    const problems = async (source: string, file: string) => {
      const e = await rejection(s.deploy({ source, file }));
      expect(e.code).toBe('TUTTI_E_BAD_REQUEST');
      return (e.details as { problems: Array<{ text: string; pointer: string; line: number }> }).problems.map((p) => p.text);
    };
    const then = doc('bad', `do:\n  - first:\n      set: { a: 1 }\n      then: nowhere\n  - second:\n      set: { b: 2 }\n      then: alsoNowhere\n`);
    const [a, b] = await problems(then, 'then.yaml');
    expect(a).toMatch(/^then\.yaml:5:\d+ \/do\/0\/first\/then: "then: nowhere" names no task/);
    expect(b).toMatch(/^then\.yaml:8:\d+ \/do\/1\/second\/then: /);
    const jq = doc('bad', `do:\n  - second:\n      set:\n        b: \${ .a == }\n`);
    expect(await problems(jq, 'jq.yaml')).toEqual([expect.stringMatching(/^jq\.yaml:5:12 \/do\/0\/second\/set\/b: invalid jq expression/)]);
    const schema = await rejection(s.deploy({ source: doc('bad', `do:\n  - call1:\n      call: http\n      with: { method: get }\n`), file: 'schema.yaml' }));
    expect(schema.message).toMatch(/^schema\.yaml:\d+:\d+ \/do\/0\/call1/);
    const cron = await rejection(s.deploy({ source: doc('bad', `schedule:\n  cron: 'every day'\ndo:\n  - a: { set: { x: 1 } }\n`), file: 'cron.yaml' }));
    expect(cron.message).toMatch(/^cron\.yaml:3:9 \/schedule\/cron: invalid cron expression/);
    expect(await s.listWorkflows()).toEqual([]);
  });

  it('deploys several documents all or nothing', async () => {
    const s = await service();
    const e = await rejection(s.deployAll([{ source: GREET, file: 'a.yaml' }, { source: 'document: {}', file: 'b.yaml' }], 'manifest'));
    expect(e.message).toMatch(/^b\.yaml:/);
    expect(await s.listWorkflows()).toEqual([]);
  });
});

describe('runs', () => {
  it('runs to completion, stored with its tasks, listed with filters, logged and counted', async () => {
    const metrics = new WorkflowRecorder();
    const s = await service({ metrics });
    await s.deploy({ source: GREET });
    const started = await s.startRun('greet', { name: 'ada' });
    expect(started).toMatchObject({ workflow: 'greet', version: '1.0.0', input: { name: 'ada' } });
    const done = await until(async () => {
      const r = await s.getRun(started.id);
      return r.status === 'completed' && r;
    }, 'the run to complete');
    expect(done.output).toEqual({ message: 'hello ada' });
    expect(done.tasks.map((t) => [t.key, t.name, t.status])).toEqual([['/do/0/hello#0', 'hello', 'completed']]);
    expect(done.endedAt).toBeGreaterThanOrEqual(done.createdAt);
    // as stored, not only live
    expect((await store.workflows.getRun(started.id))?.status).toBe('completed');

    const other = await s.startRun('greet', { name: 'bob' });
    await until(async () => (await s.getRun(other.id)).status === 'completed', 'the second run');
    expect((await s.listRuns({ workflow: 'greet' })).runs.map((r) => r.id)).toEqual([other.id, started.id]);
    expect((await s.listRuns({ workflow: 'greet', limit: 1 })).next).toBeDefined();
    expect((await s.listRuns({ status: 'faulted' })).runs).toEqual([]);
    expect((await rejection(s.startRun('missing'))).code).toBe('TUTTI_E_NOT_FOUND');
    expect((await rejection(s.getRun('missing'))).code).toBe('TUTTI_E_NOT_FOUND');

    expect(metrics.started.get('greet')).toBe(2);
    expect(metrics.ended.get('greet')?.get('completed')).toBe(2);
    expect(metrics.active.get('greet')).toBe(0);
    expect([...metrics.tasks()].map((t) => [t.taskType, t.count])).toEqual([['set', 2]]);

    const lines = await until(async () => {
      const got = await readLogHistory(path.join(dir, 'logs'), { services: ['workflow:greet'], grep: started.id });
      return got.length >= 4 && got;
    }, 'the log lines');
    expect(lines.map((l) => l.message)).toEqual(['run started', 'task hello started', 'task hello completed', 'run completed']);
    expect(lines.every((l) => l.service === 'workflow:greet' && l.level === 'info')).toBe(true);
    expect(JSON.parse(lines[1].text)).toMatchObject({ run: started.id, task: 'hello', pointer: '/do/0/hello', key: '/do/0/hello#0', workflow: 'greet' });
  });

  it('logs a faulted task at error level and stores the error', async () => {
    const s = await service();
    await s.deploy({ source: doc('boom', `do:\n  - fail:\n      raise:\n        error: { type: https://example.com/oops, status: 418, title: Oops }\n`) });
    const run = await s.startRun('boom');
    const done = await until(async () => {
      const r = await s.getRun(run.id);
      return r.status === 'faulted' && r;
    }, 'the fault');
    expect(done.error).toMatchObject({ type: 'https://example.com/oops', status: 418 });
    const errors = await until(async () => {
      const got = await readLogHistory(path.join(dir, 'logs'), { services: ['workflow:boom'], level: 'error' });
      return got.length === 2 && got;
    }, 'error lines');
    expect(errors.map((l) => l.message)).toEqual(['task fail faulted', 'run faulted']);
  });

  it('streams task events and status changes to watchers, starting with the current summary', async () => {
    const s = await service();
    await s.deploy({ source: SLOW('PT0.2S') });
    const run = await s.startRun('slow');
    const seen: RunWatchEvent[] = [];
    const unsubscribe = await s.watch(run.id, (e) => seen.push(e));
    await until(() => seen.some((e) => e.event === 'run' && e.data.status === 'completed'), 'the end');
    unsubscribe();
    expect(seen[0]).toMatchObject({ event: 'run', data: { id: run.id, status: 'running' } });
    const tasks = seen.filter((e): e is Extract<RunWatchEvent, { event: 'task' }> => e.event === 'task').map((e) => `${e.data.name} ${e.data.type} ${e.data.key}`);
    expect(tasks).toContain('pause completed /do/1/pause#0');
    expect(tasks.at(-1)).toBe('last completed /do/2/last#0');
    expect((await rejection(s.watch('missing', () => {}))).code).toBe('TUTTI_E_NOT_FOUND');
  });

  it('suspends, resumes and cancels; refuses what the status does not allow', async () => {
    const s = await service();
    await s.deploy({ source: SLOW('PT0.3S') });
    const run = await s.startRun('slow');
    await until(async () => (await s.getRun(run.id)).position?.pointer === '/do/1/pause', 'the wait');
    expect((await s.suspend(run.id)).status).toBe('suspended');
    expect((await store.workflows.getRun(run.id))?.status).toBe('suspended');
    expect((await rejection(s.suspend(run.id))).code).toBe('TUTTI_E_CONFLICT');
    expect((await s.resume(run.id)).status).toBe('running');
    expect((await rejection(s.resume(run.id))).code).toBe('TUTTI_E_CONFLICT');
    const done = await until(async () => {
      const r = await s.getRun(run.id);
      return r.status === 'completed' && r;
    }, 'the resumed run to complete');
    expect(done.output).toEqual({ step: 2 });
    expect(done.tasks.filter((t) => t.name === 'first')).toHaveLength(1); // replayed, not run again
    for (const action of ['cancel', 'suspend', 'resume'] as const) {
      const e = await rejection(s[action](run.id));
      expect([e.code, e.message]).toEqual(['TUTTI_E_CONFLICT', `run ${run.id} is completed: it cannot be ${{ cancel: 'cancelled', suspend: 'suspended', resume: 'resumed' }[action]}`]);
    }
    const other = await s.startRun('slow');
    expect((await s.cancel(other.id)).status).toBe('cancelled');
    const suspended = await s.startRun('slow');
    await s.suspend(suspended.id);
    const cancelled = await s.cancel(suspended.id);
    expect(cancelled.status).toBe('cancelled');
    expect((await store.workflows.getRun(suspended.id))?.endedAt).toBeDefined();
    expect((await rejection(s.cancel('missing'))).code).toBe('TUTTI_E_NOT_FOUND');
  });

  it('leaves runs running in the store when it closes, and the next service resumes them with their timers', async () => {
    const first = await service();
    await first.deploy({ source: SLOW('PT0.6S') });
    const run = await first.startRun('slow');
    const deadline = await until(async () => (await store.workflows.getRun(run.id))?.state.timers as Record<string, number> | undefined, 'the stored timer');
    expect(Object.keys(deadline)).toEqual(['/do/1/pause#0']);
    await first.close();
    const stored = await store.workflows.getRun(run.id);
    expect(stored?.status).toBe('running');
    expect(stored?.state.timers).toEqual(deadline);
    expect((await rejection(first.startRun('slow'))).code).toBe('TUTTI_E_UNAVAILABLE');

    const second = await service();
    await second.resumeUnfinished();
    const done = await until(async () => {
      const r = await second.getRun(run.id);
      return r.status === 'completed' && r;
    }, 'the resumed run');
    expect(done.output).toEqual({ step: 2 });
    // the wait kept its deadline: it ended at it, not a whole wait after the resume
    const pause = done.tasks.find((t) => t.name === 'pause')!;
    expect(pause.endedAt).toBeGreaterThanOrEqual(deadline['/do/1/pause#0']);
    expect(done.tasks.filter((t) => t.name === 'first')).toHaveLength(1);
  });

  it('detach stops the runs but leaves them running in the store; resumeUnfinished takes them up again', async () => {
    const metrics = new WorkflowRecorder();
    const s = await service({ metrics });
    await s.deploy({ source: SLOW('PT0.3S') });
    const run = await s.startRun('slow');
    await until(async () => (await store.workflows.getRun(run.id))?.state.timers, 'the stored timer');
    await s.detach();
    expect(metrics.active.get('slow')).toBe(0);
    expect((await store.workflows.getRun(run.id))?.status).toBe('running');
    expect((await s.getRun(run.id)).status).toBe('running'); // from the store: not going on here
    await s.resumeUnfinished();
    const done = await until(async () => {
      const r = await s.getRun(run.id);
      return r.status === 'completed' && r;
    }, 'the resumed run');
    expect(done.output).toEqual({ step: 2 });
    expect(metrics.ended.get('slow')?.get('completed')).toBe(1);
  });

  it('resumes each run with the version it started with, and leaves suspended runs suspended', async () => {
    const first = await service();
    await first.deploy({ source: SLOW('PT0.2S') });
    const a = await first.startRun('slow');
    const b = await first.startRun('slow');
    await first.suspend(b.id);
    await first.deploy({ source: SLOW('PT0.2S').replace("version: '1.0.0'", "version: '2.0.0'").replace('step: 2', 'step: 3') });
    await first.close();
    const second = await service();
    await second.resumeUnfinished();
    const done = await until(async () => {
      const r = await second.getRun(a.id);
      return r.status === 'completed' && r;
    }, 'the resumed run');
    expect([done.version, done.output]).toEqual(['1.0.0', { step: 2 }]);
    expect((await second.getRun(b.id)).status).toBe('suspended');
  });

  it('resolves http://<service>/ through resolveService', async () => {
    const server = http.createServer((req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ path: req.url, key: req.headers['idempotency-key'] })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const s = await service({ resolveService: (host) => (host === 'inventory' ? base : undefined) });
      await s.deploy({ source: doc('call', `do:\n  - get:\n      call: http\n      with: { method: get, endpoint: 'http://inventory/items/1' }\n`) });
      const run = await s.startRun('call');
      const done = await until(async () => {
        const r = await s.getRun(run.id);
        return r.status !== 'running' && r;
      }, 'the call');
      expect(done.output).toEqual({ path: '/items/1', key: `${run.id}:/do/0/get` });
    } finally {
      server.close();
    }
  });
});

describe('schedules', () => {
  it('starts runs every interval and on events, with the events as input', async () => {
    const bus = createEventBus();
    const s = await service({ events: bus });
    await s.deploy({ source: doc('tick', `schedule:\n  every: { milliseconds: 100 }\ndo:\n  - a: { set: { ok: true } }\n`) });
    await until(async () => (await s.listRuns({ workflow: 'tick' })).runs.length >= 2, 'two scheduled runs');

    await s.deploy({ source: doc('onorder', `schedule:\n  on:\n    one:\n      with: { type: com.example.order.placed }\ndo:\n  - a: { set: '\${ { id: .[0].data.id } }' }\n`) });
    await bus.publish({ specversion: '1.0', id: 'x1', source: '/test', type: 'com.example.other' });
    await bus.publish({ specversion: '1.0', id: 'x2', source: '/test', type: 'com.example.order.placed', data: { id: 7 } });
    const run = await until(async () => (await s.listRuns({ workflow: 'onorder' })).runs[0], 'the event-started run');
    const done = await until(async () => {
      const r = await s.getRun(run.id);
      return r.status === 'completed' && r;
    }, 'its end');
    expect(done.output).toEqual({ id: 7 });
    expect((done.input as Array<{ id: string }>).map((e) => e.id)).toEqual(['x2']);
    expect((await s.listRuns({ workflow: 'onorder' })).runs).toHaveLength(1);
  });

  it('after: a first run at once, the next one that long after the previous ended', async () => {
    const s = await service();
    await s.deploy({ source: doc('again', `schedule:\n  after: { milliseconds: 200 }\ndo:\n  - a: { set: { ok: true } }\n`) });
    const runs = await until(async () => {
      const page = await s.listRuns({ workflow: 'again' });
      return page.runs.length >= 2 && page.runs.every((r) => r.status === 'completed') && page.runs;
    }, 'two runs');
    const [second, first] = runs;
    expect(second.createdAt - first.endedAt!).toBeGreaterThanOrEqual(190);
  });
});

describe('the lazy service', () => {
  it('answers listings from the store and loads the engine on the first deploy', async () => {
    const lazy = createLazyWorkflowService({ store: store.workflows, meta: store.meta, logger });
    services.push(lazy);
    expect(await lazy.listWorkflows()).toEqual([]);
    expect(await lazy.listRuns()).toEqual({ runs: [] });
    await lazy.resumeUnfinished();
    expect(lazy.loaded).toBe(false);
    await lazy.deploy({ source: GREET });
    expect(lazy.loaded).toBe(true);
    expect((await lazy.listWorkflows()).map((w) => w.name)).toEqual(['greet']);
  });
});

describe('the runs log file', () => {
  it('is in the runtime line format under logs/workflow:<name>/', async () => {
    const s = await service();
    await s.deploy({ source: GREET });
    const run = await s.startRun('greet', { name: 'x' });
    const file = path.join(dir, 'logs', 'workflow:greet', 'workflow:greet.log');
    const text = await until(() => {
      try {
        const t = readFileSync(file, 'utf8');
        return t.includes('run completed') && t;
      } catch {
        return undefined;
      }
    }, 'the file');
    expect(text.split('\n')[0]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z stdout \\{"level":30,"time":\\d+,"msg":"run started","workflow":"greet","run":"${run.id}"`));
  });
});
