import { describe, expect, it } from 'vitest';
import { loadWorkflow, type WorkflowDefinition } from '../definition/index.js';
import { ManualClock, startRun, type RunResult, type RunState, type RunWorkflowOptions, type TaskEvent } from './index.js';
import { waitFor } from '../../core/test-wait.js';

const HEAD = `document: { dsl: '1.0.3', namespace: test, name: wf, version: '1.0.0' }\n`;
const wf = (body: string) => loadWorkflow(HEAD + body);

/** polls a condition (no fixed sleeps) */
// polls on every turn of the event loop: the runs under test only move through microtasks and the manual clock
const until = (cond: () => boolean, ms = 5000) => waitFor(cond, { timeout: ms, interval: 0 });

/** Lets a run go to its end, moving the clock 1 s whenever everything waits on it. */
async function drive(clock: ManualClock, result: Promise<RunResult>): Promise<RunResult> {
  let done = false;
  const settled = result.finally(() => {
    done = true;
  });
  while (!done) {
    await until(() => done || clock.pending > 0);
    if (!done) clock.advance(1000);
  }
  return settled;
}

/** A service answering GET /<name> with { <name>: 1 } (or 503 for paths in `failing`), counting calls. */
function service(failing: Set<string> = new Set()) {
  const calls = new Map<string, number>();
  const stub = (async (url: string | URL, init?: RequestInit) => {
    if (init?.signal?.aborted) throw init.signal.reason;
    const name = new URL(String(url)).pathname.slice(1);
    const n = (calls.get(name) ?? 0) + 1;
    calls.set(name, n);
    await Promise.resolve();
    if (failing.has(name)) return new Response(JSON.stringify({ message: 'later' }), { status: 503, headers: { 'content-type': 'application/json' } });
    return new Response(JSON.stringify({ [name]: 1 }), { headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  return { fetch: stub, calls };
}

/** a call task as a flow mapping (fits any indentation) */
const call = (name: string, extra = '') => `{ call: http, with: { method: get, endpoint: 'http://svc/${name}' }${extra} }`;

/** occurrence keys of the calls that were in flight (started, not ended) in a state */
function inFlightCalls(state: RunState): Set<string> {
  const names = new Set<string>();
  for (const r of Object.values(state.tasks)) if (r.status === 'running' && r.name.startsWith('call')) names.add(r.name);
  return names;
}

/**
 * Runs `def` once without interruption, then once per transition of that run: "crashes" there
 * (snapshot of the state, the run cancelled) and resumes from the snapshot. Every resumed run
 * must give the same result, and every call must have been made once over both runs (twice at
 * most when it was in flight at the crash).
 */
async function resumeFromEveryTransition(def: WorkflowDefinition, opts: RunWorkflowOptions = {}, failing?: Set<string>) {
  const clock0 = new ManualClock();
  const svc0 = service(failing);
  let transitions = 0;
  const expected = await drive(clock0, startRun(def, { ...opts, clock: clock0, fetch: svc0.fetch, runId: 'r', onTransition: () => transitions++ }).result);
  expect(transitions).toBeGreaterThan(3);
  for (let at = 0; at < transitions - 1; at++) {
    const clock = new ManualClock();
    const svc = service(failing);
    const crash = new AbortController();
    let snapshot: RunState | undefined;
    let i = 0;
    const first = startRun(def, {
      ...opts,
      clock,
      fetch: svc.fetch,
      runId: 'r',
      signal: crash.signal,
      onTransition: (s) => {
        if (i++ === at) {
          snapshot = structuredClone(s);
          crash.abort();
        }
      },
    });
    await drive(clock, first.result);
    expect(snapshot, `transition ${at}`).toBeDefined();
    const events: TaskEvent[] = [];
    const resumed = await drive(clock, startRun(def, { ...opts, clock, fetch: svc.fetch, resume: snapshot, onTask: (e) => events.push(e) }).result);
    expect(resumed, `resumed at transition ${at}`).toEqual(expected);
    const again = inFlightCalls(snapshot!);
    for (const [name, n] of svc0.calls) {
      const made = svc.calls.get(name) ?? 0;
      expect(made, `calls of ${name} when resumed at transition ${at}`).toBeGreaterThanOrEqual(n);
      expect(made, `calls of ${name} when resumed at transition ${at}`).toBeLessThanOrEqual(n + (again.has(`call${name}`) ? 1 : 0));
    }
  }
  return expected;
}

describe('resume by replay', () => {
  it('a sequence with calls, an export and a wait resumes from any transition, each call made once', async () => {
    const def = wf(`do:
  - init: { set: { n: 1 } }
  - callone: ${call('one')}
  - mark:
      set: { got: '\${ .one }' }
      export: { as: '{ seen: .got }' }
  - pause: { wait: PT10S }
  - calltwo: ${call('two')}
  - final:
      set: { one: '\${ $context.seen }', two: '\${ .two }', started: '\${ $workflow.startedAt.epoch.milliseconds }', at: '\${ $task.startedAt.iso8601 }' }
`);
    const out = await resumeFromEveryTransition(def);
    const t0 = new ManualClock().now();
    expect(out).toEqual({ status: 'completed', output: { one: 1, two: 1, started: t0, at: new Date(t0 + 10_000).toISOString() } });
  });

  it('a crash after a call completed and before the next: the first call is not made again', async () => {
    const def = wf(`do:\n  - callone: ${call('one')}\n  - calltwo: ${call('two')}\n`);
    const clock = new ManualClock();
    const svc = service();
    let snapshot: RunState | undefined;
    const crash = new AbortController();
    await startRun(def, {
      clock,
      fetch: svc.fetch,
      signal: crash.signal,
      onTransition: (s) => {
        if (!snapshot && s.tasks['/do/0/callone#0']?.status === 'completed') {
          snapshot = structuredClone(s);
          crash.abort();
        }
      },
    }).result;
    expect(Object.fromEntries(svc.calls)).toEqual({ one: 1 });
    const r = await startRun(def, { clock, fetch: svc.fetch, resume: snapshot }).result;
    expect(r).toEqual({ status: 'completed', output: { two: 1 } });
    expect(Object.fromEntries(svc.calls)).toEqual({ one: 1, two: 1 });
  });

  it('a wait keeps its deadline: 6 s into a 10 s wait, the resumed run waits 4 s', async () => {
    const def = wf(`do:\n  - pause: { wait: PT10S }\n  - after: { set: { done: true } }\n`);
    const clock = new ManualClock();
    const t0 = clock.now();
    const first = startRun(def, { clock });
    await until(() => clock.pending === 1);
    clock.advance(6000);
    const snapshot = structuredClone(first.state) as RunState;
    first.cancel(); // the process "dies"
    expect(await first.result).toEqual({ status: 'cancelled' });
    expect(snapshot.timers).toEqual({ '/do/0/pause#0': t0 + 10_000 });

    const later = new ManualClock(t0 + 6000);
    const resumed = startRun(def, { clock: later, resume: snapshot });
    await until(() => later.pending === 1);
    expect(later.requested).toEqual([4000]);
    later.advance(3999);
    await new Promise((r) => setImmediate(r));
    expect(resumed.state.status).toBe('running');
    later.advance(1);
    expect(await resumed.result).toEqual({ status: 'completed', output: { done: true } });
    expect(resumed.state.timers).toEqual({});
  });

  it('a wait whose deadline passed while the run was down ends at once', async () => {
    const def = wf(`do:\n  - pause: { wait: PT10S }\n  - after: { set: { done: true } }\n`);
    const clock = new ManualClock();
    const first = startRun(def, { clock });
    await until(() => clock.pending === 1);
    const snapshot = structuredClone(first.state) as RunState;
    first.cancel();
    await first.result;
    const later = new ManualClock(clock.now() + 60_000);
    expect(await startRun(def, { clock: later, resume: snapshot }).result).toEqual({ status: 'completed', output: { done: true } });
    expect(later.requested).toEqual([]);
  });

  it('a task timeout keeps its deadline across a resume', async () => {
    const def = wf(`do:\n  - slow:\n      wait: PT1H\n      timeout: { after: PT1M }\n`);
    const clock = new ManualClock();
    const first = startRun(def, { clock });
    await until(() => clock.pending === 2);
    clock.advance(45_000);
    const snapshot = structuredClone(first.state) as RunState;
    first.suspend();
    expect(await first.result).toEqual({ status: 'suspended' });
    const resumed = startRun(def, { clock, resume: snapshot });
    await until(() => clock.pending === 2);
    clock.advance(15_000);
    expect(await resumed.result).toMatchObject({ status: 'faulted', error: { status: 408, instance: '/do/0/slow' } });
  });

  it('retries: a resumed try keeps counting (attempt.count holds over both runs) and does not wait the delays again', async () => {
    const def = wf(`do:
  - tryIt:
      try:
        - callflaky: ${call('flaky')}
      catch:
        errors: { with: { status: 503 } }
        retry:
          delay: PT10S
          limit: { attempt: { count: 3 } }
`);
    const clock = new ManualClock();
    const svc = service(new Set(['flaky']));
    const first = startRun(def, { clock, fetch: svc.fetch });
    // two retries decided, the second one's delay 4 s under way
    await until(() => clock.pending === 1);
    clock.advance(10_000);
    await until(() => svc.calls.get('flaky') === 2 && clock.pending === 1);
    clock.advance(6000);
    const snapshot = structuredClone(first.state) as RunState;
    first.cancel();
    await first.result;
    expect(snapshot.progress['/do/0/tryIt#0']).toMatchObject({ retries: 2 });
    expect(snapshot.attempts).toEqual({ '/do/0/tryIt': 2 });

    clock.requested.length = 0;
    const resumed = startRun(def, { clock, fetch: svc.fetch, resume: snapshot });
    await until(() => clock.pending === 1);
    expect(clock.requested).toEqual([4000]);
    clock.advance(4000);
    await until(() => clock.pending === 1 || resumed.state.status !== 'running');
    clock.advance(10_000);
    const r = await resumed.result;
    expect(r).toMatchObject({ status: 'faulted', error: { status: 503, instance: '/do/0/tryIt/try/0/callflaky' } });
    // 1 attempt + 3 retries over both runs
    expect(svc.calls.get('flaky')).toBe(4);
    expect(resumed.state.tasks['/do/0/tryIt#0']).toMatchObject({ status: 'faulted', retries: 3 });
    expect(Object.keys(resumed.state.tasks).filter((k) => k.startsWith('/do/0/tryIt/try/0/callflaky'))).toEqual([
      '/do/0/tryIt/try/0/callflaky#0',
      '/do/0/tryIt/try/0/callflaky#1',
      '/do/0/tryIt/try/0/callflaky#2',
      '/do/0/tryIt/try/0/callflaky#3',
    ]);
  });

  it('retries: limit.duration counts from the first attempt, not from the resume', async () => {
    const def = wf(`do:
  - tryIt:
      try:
        - callflaky: ${call('flaky')}
      catch:
        retry:
          delay: PT10S
          limit: { duration: PT25S }
`);
    const clock = new ManualClock();
    const svc = service(new Set(['flaky']));
    const first = startRun(def, { clock, fetch: svc.fetch });
    await until(() => clock.pending === 1);
    const snapshot = structuredClone(first.state) as RunState;
    first.cancel();
    await first.result;
    // down for 12 s: retry 1 (at 10 s) is due, retry 2 (at 20 s) fits in 25 s, retry 3 (at 30 s) does not
    const later = new ManualClock(clock.now() + 12_000);
    const r = await drive(later, startRun(def, { clock: later, fetch: svc.fetch, resume: snapshot }).result);
    expect(r.status).toBe('faulted');
    expect(svc.calls.get('flaky')).toBe(3);
  });

  it('a retrying try resumes from every transition with the same result and calls', async () => {
    const def = wf(`do:
  - tryIt:
      try:
        - callflaky: ${call('flaky')}
      catch:
        retry: { delay: PT2S, backoff: { exponential: {} }, limit: { attempt: { count: 2 } } }
  - never: ${call('never')}
`);
    const out = await resumeFromEveryTransition(def, {}, new Set(['flaky']));
    expect(out).toMatchObject({ status: 'faulted', error: { status: 503 } });
  });

  it('a catch handler and loops resume from every transition', async () => {
    const def = wf(`do:
  - guard:
      try:
        - callbad: ${call('bad')}
      catch:
        as: e
        do:
          - note:
              set: { caught: '\${ $e.status }' }
              export: { as: '$context + { caught: .caught }' }
  - each:
      for: { in: '[1, 2, 3]', each: x }
      do:
        - pause: { wait: PT1S }
        - callitem:
            call: http
            with: { method: get, endpoint: '\${ "http://svc/item" + ($x | tostring) }' }
            output: { as: '$input + .' }
        - acc:
            set: { items: '\${ ($input.items // []) + [$x] }' }
  - done:
      set: { items: '\${ .items }', caught: '\${ $context.caught }' }
`);
    const out = await resumeFromEveryTransition(def, {}, new Set(['bad']));
    expect(out).toEqual({ status: 'completed', output: { items: [1, 2, 3], caught: 503 } });
  });

  it('occurrence keys: loop indices and `then` going back count occurrences', async () => {
    const def = wf(`do:
  - each:
      for: { in: '[10, 20]' }
      do:
        - inner: { set: { v: '\${ $item }' } }
  - init: { set: { n: 0 } }
  - again:
      set: { n: '\${ .n + 1 }' }
  - check:
      switch:
        - more: { when: '.n < 3', then: again }
        - enough: { then: continue }
`);
    const h = startRun(def, {});
    expect(await h.result).toEqual({ status: 'completed', output: { n: 3 } });
    expect(Object.keys(h.state.tasks)).toEqual([
      '/do/0/each#0',
      '/do/0/each/do/0/inner:0#0',
      '/do/0/each/do/0/inner:1#0',
      '/do/1/init#0',
      '/do/2/again#0',
      '/do/3/check#0',
      '/do/2/again#1',
      '/do/3/check#1',
      '/do/2/again#2',
      '/do/3/check#2',
    ]);
    expect(h.state.tasks['/do/0/each/do/0/inner:1#0']).toMatchObject({ pointer: '/do/0/each/do/0/inner', name: 'inner', loop: [1], status: 'completed', output: { v: 20 } });
    expect(h.state.tasks['/do/3/check#0']).toMatchObject({ flow: 'again' });
    expect(h.state.tasks['/do/3/check#2']).toMatchObject({ status: 'completed' });
    expect(h.state.tasks['/do/3/check#2'].flow).toBeUndefined(); // continue
  });

  it('a then-goto loop with a wait resumes from every transition', async () => {
    const def = wf(`do:
  - init: { set: { n: 0 } }
  - poll: ${call('poll', ", output: { as: '{ n: ($input.n + 1) }' }")}
  - pause: { wait: PT3S }
  - check:
      switch:
        - more: { when: '.n < 3', then: poll }
`);
    expect(await resumeFromEveryTransition(def)).toEqual({ status: 'completed', output: { n: 3 } });
  });

  it('fork: a completed branch is replayed, the other one runs on', async () => {
    const def = wf(`do:
  - both:
      fork:
        branches:
          - callfast: ${call('fast')}
          - slow:
              do:
                - pause: { wait: PT10S }
                - callslow: ${call('slow')}
`);
    const clock = new ManualClock();
    const svc = service();
    const first = startRun(def, { clock, fetch: svc.fetch });
    await until(() => clock.pending === 1 && first.state.tasks['/do/0/both/fork/branches/0/callfast#0']?.status === 'completed');
    const snapshot = structuredClone(first.state) as RunState;
    first.cancel();
    await first.result;
    expect(first.state.tasks['/do/0/both/fork/branches/1/slow/do/0/pause#0'].status).toBe('cancelled');
    const r = await drive(clock, startRun(def, { clock, fetch: svc.fetch, resume: snapshot }).result);
    expect(r).toEqual({ status: 'completed', output: [{ fast: 1 }, { slow: 1 }] });
    expect(Object.fromEntries(svc.calls)).toEqual({ fast: 1, slow: 1 });
    expect(await resumeFromEveryTransition(def)).toEqual(r);
  });

  it('the workflow input is transformed once: a resumed run keeps the input.from result and $workflow.input', async () => {
    const def = wf(`input: { from: '{ v: .order.v }' }
do:
  - pause: { wait: PT1S }
  - a: { set: { v: '\${ .v }', raw: '\${ $workflow.input }' } }
`);
    const clock = new ManualClock();
    const first = startRun(def, { clock, input: { order: { v: 7 } } });
    await until(() => clock.pending === 1);
    const snapshot = structuredClone(first.state) as RunState;
    first.suspend();
    await first.result;
    expect(snapshot).toMatchObject({ input: { v: 7 }, rawInput: { order: { v: 7 } } });
    const r = await drive(clock, startRun(def, { clock, resume: snapshot }).result);
    expect(r).toEqual({ status: 'completed', output: { v: 7, raw: { order: { v: 7 } } } });
  });

  it('replayed tasks emit no events; tasks that run again do', async () => {
    const def = wf(`do:\n  - a: { set: { x: 1 } }\n  - pause: { wait: PT1S }\n  - b: { set: { y: 2 } }\n`);
    const clock = new ManualClock();
    const first = startRun(def, { clock });
    await until(() => clock.pending === 1);
    const snapshot = structuredClone(first.state) as RunState;
    first.cancel();
    await first.result;
    const events: TaskEvent[] = [];
    await drive(clock, startRun(def, { clock, resume: snapshot, onTask: (e) => events.push(e) }).result);
    expect(events.map((e) => `${e.type} ${e.key}`)).toEqual(['started /do/1/pause#0', 'completed /do/1/pause#0', 'started /do/2/b#0', 'completed /do/2/b#0']);
  });
});

describe('run: workflow', () => {
  const child = loadWorkflow(`document: { dsl: '1.0.3', namespace: test, name: child, version: '1.0.0' }
input: { from: '{ who: .customer }' }
do:
  - hello: ${call('child')}
  - note:
      set: { who: '\${ $workflow.input.customer }', id: '\${ $workflow.id }' }
      export: { as: '{ noted: .who }' }
  - pause: { wait: PT5S }
  - done:
      set: { greeting: '\${ "hello " + $context.noted }', parentContext: '\${ $context }' }
`);
  const parent = wf(`do:
  - prep:
      set: { customer: ann }
      export: { as: '{ mine: true }' }
  - sub:
      run:
        workflow: { namespace: test, name: child, version: '1.0.0', input: { customer: '\${ .customer }' } }
  - after:
      set: { child: '\${ . }', ctx: '\${ $context }' }
`);
  const catalog = (name: string, version: string | undefined, namespace: string | undefined) =>
    name === 'child' && version === '1.0.0' && namespace === 'test' ? child : undefined;

  it('runs the sub-workflow in process with its own $workflow and $context; its output is the task output', async () => {
    const clock = new ManualClock();
    const r = await drive(clock, startRun(parent, { loadWorkflow: catalog, runId: 'p', fetch: service().fetch, clock }).result);
    expect(r).toEqual({
      status: 'completed',
      output: { child: { greeting: 'hello ann', parentContext: { noted: 'ann' } }, ctx: { mine: true } },
    });
  });

  it('keys the sub-workflow tasks under the run task and resumes into it from every transition', async () => {
    const clock = new ManualClock();
    const h = startRun(parent, { loadWorkflow: catalog, runId: 'p', fetch: service().fetch, clock });
    await drive(clock, h.result);
    expect(Object.keys(h.state.tasks)).toEqual([
      '/do/0/prep#0',
      '/do/1/sub#0',
      '/do/1/sub#0>/do/0/hello#0',
      '/do/1/sub#0>/do/1/note#0',
      '/do/1/sub#0>/do/2/pause#0',
      '/do/1/sub#0>/do/3/done#0',
      '/do/2/after#0',
    ]);
    expect(h.state.tasks['/do/1/sub#0>/do/1/note#0'].output).toEqual({ who: 'ann', id: 'p>/do/1/sub#0' });
    expect(h.state.outputs).not.toHaveProperty('/do/0/hello');
    await resumeFromEveryTransition(parent, { loadWorkflow: catalog });
  });

  it('an unknown workflow faults the task with a 404', async () => {
    const r = await startRun(parent, { loadWorkflow: () => undefined }).result;
    expect(r).toMatchObject({ status: 'faulted', error: { type: 'https://serverlessworkflow.io/spec/1.0.0/errors/runtime', status: 404, instance: '/do/1/sub' } });
    expect(r.error?.detail).toMatch(/test\/child version 1\.0\.0, which is not deployed/);
  });

  it("the sub-workflow's fault faults the task, and a try around it catches it", async () => {
    const failing = loadWorkflow(`document: { dsl: '1.0.3', namespace: test, name: child, version: '1.0.0' }
do:
  - boom:
      raise: { error: { type: https://serverlessworkflow.io/spec/1.0.0/errors/validation, status: 422, title: bad } }
`);
    const r = await startRun(
      wf(`do:
  - guard:
      try:
        - sub: { run: { workflow: { namespace: test, name: child, version: latest } } }
      catch:
        as: e
        do:
          - report: { set: { status: '\${ $e.status }', instance: '\${ $e.instance }' } }
`),
      { loadWorkflow: (_n, v) => (v === undefined ? failing : undefined) },
    ).result;
    expect(r).toEqual({ status: 'completed', output: { status: 422, instance: '/do/0/boom' } });
  });

  it('a workflow that runs itself stops at the depth limit', async () => {
    const self = wf(`do:
  - again: { run: { workflow: { namespace: test, name: wf, version: '1.0.0' } } }
`);
    const r = await startRun(self, { loadWorkflow: () => self }).result;
    expect(r).toMatchObject({ status: 'faulted', error: { status: 508 } });
  });
});

describe('suspend and cancel', () => {
  const def = wf(`do:
  - a:
      set: { x: 1 }
      export: { as: '{ a: .x }' }
  - pause: { wait: PT10S }
  - b: { set: { x: '\${ .x + 1 }', ctx: '\${ $context }' } }
`);

  it('suspend stops the run where it is; resuming gives what an uninterrupted run gives', async () => {
    const clock = new ManualClock();
    const whole = await drive(clock, startRun(def, { clock }).result);
    const first = startRun(def, { clock });
    await until(() => clock.pending === 1);
    clock.advance(3000);
    first.suspend();
    expect(await first.result).toEqual({ status: 'suspended' });
    expect(first.state.status).toBe('suspended');
    expect(first.state.tasks['/do/1/pause#0'].status).toBe('cancelled');
    expect(Object.values(first.state.timers)).toEqual([clock.now() + 7000]);
    const resumed = startRun(def, { clock, resume: JSON.parse(JSON.stringify(first.state)) });
    expect(resumed.runId).toBe(first.runId);
    await until(() => clock.pending === 1);
    expect(clock.requested.at(-1)).toBe(7000);
    clock.advance(7000);
    expect(await resumed.result).toEqual(whole);
    expect(whole).toEqual({ status: 'completed', output: { x: 2, ctx: { a: 1 } } });
    expect(resumed.state.status).toBe('completed');
  });

  it('cancel ends the run as cancelled, the interrupted task recorded as such', async () => {
    const clock = new ManualClock();
    const states: string[] = [];
    const h = startRun(def, { clock, onTransition: (s) => states.push(s.status) });
    await until(() => clock.pending === 1);
    h.cancel();
    expect(await h.result).toEqual({ status: 'cancelled' });
    expect(states.at(-1)).toBe('cancelled');
    expect(h.state.tasks['/do/1/pause#0']).toMatchObject({ status: 'cancelled' });
    expect(clock.pending).toBe(0);
    h.suspend(); // too late: nothing changes
    expect(h.state.status).toBe('cancelled');
  });
});
