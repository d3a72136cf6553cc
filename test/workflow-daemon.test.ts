// Workflows inside a real control plane: definitions deployed by `up` (the manifest's
// `workflows:`) and through the API, runs with their tasks, cancel/suspend/resume, CloudEvents
// waking a listen, the runs' log and metrics — and durability: a daemon killed with SIGKILL in
// the middle of a `wait` or of a sequence of HTTP calls, or stopped with SIGTERM, resumes its
// runs when it starts again (the wait keeps its deadline, completed calls are not sent again).
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, nodeService, Project, waitFor } from './helpers/tutti.js';

const doc = (name: string, body: string, version = '1.0.0') => `document: { dsl: '1.0.3', namespace: e2e, name: ${name}, version: '${version}' }\n${body}`;

const HELLO = doc('hello', `do:\n  - greet:\n      set:\n        message: \${ "hello " + (.name // "world") }\n`);
const SLOW = (name: string, wait: string) => doc(name, `do:\n  - first:\n      set: { step: 1 }\n  - pause:\n      wait: ${wait}\n  - last:\n      set: { step: 2 }\n`);
const CALLS = doc(
  'calls',
  `do:\n${[1, 2, 3, 4]
    .map((i) => `  - call${i}:\n      call: http\n      with: { method: post, endpoint: 'http://counter/work?delay=1000', body: { n: ${i} } }\n      export: { as: '\${ $context + { c${i}: .seen } }' }\n`)
    .join('')}  - done:\n      set: '\${ $context }'\n`,
);
const LISTEN = doc('waiter', `do:\n  - hear:\n      listen:\n        to:\n          one:\n            with: { type: com.example.e2e.ping }\n`);

describe('workflows in the control plane', () => {
  let p: Project;

  const api = async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${p.daemon().url}${route.startsWith('/metrics') ? '' : '/api/v1'}${route}`, {
      method,
      headers: { authorization: `Bearer ${p.token()}`, ...(body === undefined || headers['content-type'] ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // /metrics is text
    }
    return { status: res.status, body: parsed };
  };
  const run = async (id: string) => (await api('GET', `/runs/${id}`)).body.run;
  const start = async (workflow: string, input: unknown = {}) => {
    const r = await api('POST', `/workflows/${workflow}/runs`, { input });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.run.id as string;
  };
  const ended = (id: string, timeout = 20_000) =>
    waitFor(async () => {
      const r = await run(id);
      return ['completed', 'faulted', 'cancelled'].includes(r.status) && r;
    }, { timeout, message: `run ${id} to end` });
  const deploy = async (source: string, file?: string) => {
    const r = await api('POST', '/workflows', { source, file });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };
  const counterUrl = async (): Promise<string> => (await p.json('ps')).services.find((s: any) => s.name === 'counter').endpoint;
  const counts = async (url: string): Promise<Record<string, number>> => (await fetch(`${url}/counts`)).json() as Promise<Record<string, number>>;
  /** signals the daemon and waits for it to exit; returns its pid and when the signal was sent */
  /** a run's task statuses by name as the store holds them (read beside the daemon, as another process would) */
  const storedTasks = (id: string): Record<string, string> => {
    const db = new Database(path.join(p.dir, '.tutti', 'state.db'), { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('select state from workflow_runs where id = ?').get(id) as { state: string } | undefined;
      const tasks = (row ? JSON.parse(row.state).tasks : undefined) ?? {};
      return Object.fromEntries(Object.values(tasks as Record<string, { name: string; status: string }>).map((t) => [t.name, t.status]));
    } finally {
      db.close();
    }
  };
  const storedStatus = (id: string): string | undefined => {
    const db = new Database(path.join(p.dir, '.tutti', 'state.db'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('select status from workflow_runs where id = ?').get(id) as { status: string } | undefined)?.status;
    } finally {
      db.close();
    }
  };
  const killDaemon = async (signal: NodeJS.Signals) => {
    const pid = p.daemon().pid;
    const at = Date.now();
    process.kill(pid, signal);
    await waitFor(() => !alive(pid), { message: 'the daemon to exit' });
    return { pid, at };
  };
  /** any command starts the project's daemon again; it adopts the stack and resumes the runs */
  const restart = async ({ pid: old }: { pid: number }) => {
    await p.json('ps');
    expect(p.daemon().pid).not.toBe(old);
  };

  beforeAll(async () => {
    p = new Project(
      `
name: wfd
services:
  counter:
    command: ${nodeService('idempotency-counter.mjs')}
    health: { http: /healthz, interval: 200ms }
workflows:
  - workflows/hello.yaml
`,
      { 'workflows/hello.yaml': HELLO },
    );
    const up = await p.tutti('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
  });
  afterAll(() => p.cleanup());

  it('deploys the manifest workflows on up, and refuses an up whose workflow changed under the same version', async () => {
    const list = (await api('GET', '/workflows')).body.workflows;
    expect(list).toEqual([expect.objectContaining({ name: 'hello', version: '1.0.0', versions: ['1.0.0'], namespace: 'e2e', origin: 'manifest' })]);
    const id = await start('hello', { name: 'tutti' });
    expect((await ended(id)).output).toEqual({ message: 'hello tutti' });

    p.write('workflows/hello.yaml', HELLO.replace('hello ', 'hi '));
    const refused = await p.tutti('up');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('workflows/hello.yaml: workflow hello version 1.0.0 is already deployed with a different definition');
    p.write('workflows/hello.yaml', HELLO.replace('hello ', 'hi ').replace("version: '1.0.0'", "version: '1.1.0'"));
    const again = await p.tutti('up');
    expect(again.code, again.stderr).toBe(0);
    expect((await api('GET', '/workflows/hello')).body).toMatchObject({ version: '1.1.0', versions: ['1.1.0', '1.0.0'] });
  });

  it('rejects bad definitions with the pointer and line of each problem', async () => {
    const cases: Array<[string, RegExp]> = [
      [doc('bad', `do:\n  - get:\n      call: http\n      with: { method: get }\n`), /^bad\.yaml:\d+:\d+ \/do\/0\/get\/with: missing required property "endpoint"/],
      [doc('bad', `do:\n  - a:\n      set: { x: 1 }\n      then: nowhere\n`), /^bad\.yaml:5:13 \/do\/0\/a\/then: "then: nowhere" names no task/],
      [doc('bad', `do:\n  - a:\n      set:\n        x: \${ .x | }\n`), /^bad\.yaml:5:12 \/do\/0\/a\/set\/x: invalid jq expression/],
    ];
    for (const [source, message] of cases) {
      const r = await api('POST', '/workflows', { source, file: 'bad.yaml' });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(message);
      expect(r.body.details.problems[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number), pointer: expect.stringMatching(/^\/do\/0\//) });
    }
    expect((await api('GET', '/workflows')).body.workflows.map((w: any) => w.name)).toEqual(['hello']);
  });

  it('runs calls to a stack service through its endpoint; lists runs with filters; shows tasks in order', async () => {
    await deploy(doc('ping', `do:\n  - one:\n      call: http\n      with: { method: get, endpoint: 'http://counter/ping' }\n  - two:\n      set: { seen: '\${ .seen }', path: '\${ .path }' }\n`));
    const id = await start('ping');
    const done = await ended(id);
    expect(done).toMatchObject({ status: 'completed', workflow: 'ping', version: '1.0.0', output: { seen: 1, path: '/ping' } });
    expect(done.tasks.map((t: any) => [t.key, t.status])).toEqual([['/do/0/one#0', 'completed'], ['/do/1/two#0', 'completed']]);
    expect(done.tasks[0].startedAt).toBeLessThanOrEqual(done.tasks[1].startedAt);

    expect((await api('GET', '/runs?workflow=ping')).body.runs.map((r: any) => r.id)).toEqual([id]);
    expect((await api('GET', '/runs?workflow=ping&status=faulted')).body.runs).toEqual([]);
    expect((await api('GET', '/runs?status=completed&since=1h')).body.runs.length).toBeGreaterThanOrEqual(2);
    expect((await api('GET', '/runs?until=1h')).body.runs).toEqual([]);
  });

  it('suspends, resumes and cancels runs; answers 409 when the status does not allow it', async () => {
    await deploy(SLOW('long', 'PT60S'));
    const id = await start('long');
    await waitFor(async () => (await run(id)).position?.pointer === '/do/1/pause', { message: 'the wait' });
    expect((await api('POST', `/runs/${id}/suspend`)).body.run.status).toBe('suspended');
    expect((await api('POST', `/runs/${id}/suspend`)).status).toBe(409);
    expect((await api('POST', `/runs/${id}/resume`)).body.run.status).toBe('running');
    expect((await run(id)).tasks.filter((t: any) => t.name === 'first')).toHaveLength(1);
    expect((await api('POST', `/runs/${id}/cancel`)).body.run.status).toBe('cancelled');
    const late = await api('POST', `/runs/${id}/resume`);
    expect([late.status, late.body.code]).toEqual([409, 'TUTTI_E_CONFLICT']);
    expect((await api('POST', '/runs/no-such-run/cancel')).status).toBe(404);
  });

  it('wakes a listen with events posted in structured and binary mode', async () => {
    await deploy(LISTEN);
    const a = await start('waiter');
    const b = await start('waiter');
    await waitFor(async () => (await run(a)).position && (await run(b)).position, { message: 'both runs to listen' });
    const structured = await api('POST', '/events', JSON.stringify({ specversion: '1.0', source: '/e2e', type: 'com.example.e2e.ping', data: { n: 1 } }), {
      'content-type': 'application/cloudevents+json',
    });
    expect(structured.status).toBe(202);
    // one event wakes every run listening for it
    expect((await ended(a)).output).toEqual([{ n: 1 }]);
    expect((await ended(b)).output).toEqual([{ n: 1 }]);
    const c = await start('waiter');
    await waitFor(async () => (await run(c)).position, { message: 'the third run to listen' });
    const binary = await api('POST', '/events', JSON.stringify({ n: 2 }), {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'e2e-2',
      'ce-source': '/e2e',
      'ce-type': 'com.example.e2e.ping',
    });
    expect(binary.body).toEqual({ id: 'e2e-2', seq: expect.any(Number) });
    expect((await ended(c)).output).toEqual([{ n: 2 }]);
    expect((await api('POST', '/events', JSON.stringify({ specversion: '1.0', source: '/e2e' }), { 'content-type': 'application/cloudevents+json' })).status).toBe(400);
  });

  it("serves the runs' log through the logs API and counts runs in /metrics", async () => {
    await deploy(doc('oops', `do:\n  - fail:\n      raise:\n        error: { type: https://example.com/oops, status: 418, title: Oops }\n`));
    const id = await start('oops');
    expect((await ended(id)).status).toBe('faulted');
    const lines = await waitFor(async () => {
      const r = await api('GET', `/logs?service=workflow:oops&level=error&grep=${id}`);
      return r.body.lines?.length === 2 && r.body.lines;
    }, { message: 'the error lines of the run' });
    expect(lines.map((l: any) => [l.service, l.level, l.message])).toEqual([
      ['workflow:oops', 'error', 'task fail faulted'],
      ['workflow:oops', 'error', 'run faulted'],
    ]);
    const metrics = (await api('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/tutti_workflow_runs_started_total\{workflow="oops"\} 1/);
    expect(metrics).toMatch(/tutti_workflow_runs_completed_total\{workflow="oops",status="faulted"\} 1/);
    expect(metrics).toMatch(/tutti_workflow_task_duration_seconds_count\{workflow="ping",task_type="call.http"\} 1/);
  });

  it('resumes a wait after kill -9 with its original deadline', async () => {
    await deploy(SLOW('napper', 'PT10S'));
    const id = await start('napper');
    const timers = await waitFor(async () => (await run(id)).timers, { message: 'the stored timer' });
    const deadline = timers['/do/1/pause#0'];
    expect(deadline).toBeGreaterThan(Date.now());

    await restart(await killDaemon('SIGKILL'));
    const resumed = await run(id);
    expect(resumed.status).toBe('running');
    // the persisted deadline is the one set before the crash, not a new full wait
    expect(resumed.timers).toEqual({ '/do/1/pause#0': deadline });
    const done = await ended(id);
    expect(done.output).toEqual({ step: 2 });
    expect(done.tasks.filter((t: any) => t.name === 'first')).toHaveLength(1);
    expect(done.tasks.find((t: any) => t.name === 'pause').endedAt).toBeGreaterThanOrEqual(deadline);
  });

  it('resumes a sequence of HTTP calls after kill -9 without sending a completed call again', async () => {
    await deploy(CALLS);
    const id = await start('calls');
    const key = (i: number) => `${id}:/do/${i - 1}/call${i}`;
    const url = await counterUrl(); // the endpoint keeps its port across daemon restarts
    // kill while the third call is in flight (the service holds each request 1 s), once the
    // store says the first two completed
    await waitFor(async () => (await counts(url))[key(3)] === 1 && storedTasks(id).call2 === 'completed', { interval: 10, message: 'call3 in flight, call2 stored' });
    const committed = Object.entries(storedTasks(id)).filter(([, status]) => status === 'completed').map(([name]) => name);
    await restart(await killDaemon('SIGKILL'));

    const done = await ended(id);
    expect(done.status).toBe('completed');
    const seen = await counts(url);
    for (const i of [1, 2, 3, 4]) expect(seen[key(i)], `call${i}`).toBeGreaterThanOrEqual(1);
    // the calls stored as completed before the kill were not sent again; call3 may have been
    expect(committed).toEqual(['call1', 'call2']);
    expect(seen[key(1)]).toBe(1);
    expect(seen[key(2)]).toBe(1);
    expect(seen[key(4)]).toBe(1);
    // the output: what each call answered (call3 was in flight: its key arrived twice)
    expect(done.output).toEqual({ c1: 1, c2: 1, c3: seen[key(3)], c4: 1 });
    expect(done.tasks.filter((t: any) => t.name === 'call1')).toHaveLength(1);
  });

  it('leaves runs running on SIGTERM; the next daemon finishes them', async () => {
    const id = await start('napper');
    await waitFor(async () => (await run(id)).timers, { message: 'the wait' });
    const stopped = await killDaemon('SIGTERM');
    expect(readFileSync(path.join(p.dir, '.tutti', 'daemon.log'), 'utf8')).toContain('control plane stopped');
    await restart(stopped);
    const resumed = await run(id);
    expect(resumed.status).toBe('running');
    expect((await ended(id)).output).toEqual({ step: 2 });
  });

  it('stops runs before `tutti down` and resumes them once `tutti up` has brought the stack back', async () => {
    // calls in flight while the services stop would fault the run; it must not even notice
    await deploy(CALLS);
    const id = await start('calls');
    const url = await counterUrl();
    await waitFor(async () => (await counts(url))[`${id}:/do/0/call1`] === 1, { interval: 10, message: 'the first call to be in flight' });
    const down = await p.tutti('down');
    expect(down.code, down.stderr).toBe(0);
    expect(storedStatus(id)).toBe('running'); // not faulted by the services going away
    const up = await p.tutti('up');
    expect(up.code, up.stderr).toBe(0);
    const done = await ended(id);
    expect(done.status).toBe('completed');
    expect(Object.keys(done.output).sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
  });
});
