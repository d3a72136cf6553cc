import { describe, expect, it } from 'vitest';
import { loadWorkflow, type WorkflowDefinition } from '../definition/index.js';
import { ManualClock, runWorkflow, startRun, type RunState, type RunWorkflowOptions } from '../engine/index.js';
import type { TaskRuntime } from '../engine/types.js';
import { evaluateValue } from '../expressions/index.js';
import { createEventBus, type MemoryEventBus } from '../events/index.js';
import { listenTask, type ListenProgress } from './listen.js';
import { waitFor } from '../../core/test-wait.js';

const HEAD = `document: { dsl: '1.0.3', namespace: test, name: wf, version: '1.0.0' }\n`;
let n = 0;
const ev = (type: string, data?: unknown, extra: Record<string, unknown> = {}) => ({ specversion: '1.0' as const, id: `e${++n}`, source: '/test', type, ...(data === undefined ? {} : { data }), ...extra });

function start(body: string, bus: MemoryEventBus, opts: RunWorkflowOptions = {}) {
  return runWorkflow(loadWorkflow(HEAD + body), { events: bus, clock: new ManualClock(), ...opts });
}

/** polls a condition with a deadline (no fixed sleeps) */


const listening = (bus: MemoryEventBus, count = 1) => waitFor(() => bus.subscribers >= count, { message: 'the listen task to subscribe' });

describe('listen', () => {
  it('one: waits for the matching event and outputs its data in an array', async () => {
    const bus = createEventBus();
    const run = start(`do:\n  - wait:\n      listen:\n        to:\n          one:\n            with: { type: race.started }\n`, bus);
    await listening(bus);
    await bus.publish(ev('race.other', { no: 1 }));
    await bus.publish(ev('race.started', { car: 7 }));
    expect(await run).toEqual({ status: 'completed', output: [{ car: 7 }] });
    expect(bus.subscribers).toBe(0);
  });

  it('does not see events published before it started', async () => {
    const bus = createEventBus();
    await bus.publish(ev('t', 'old'));
    const run = start(`do:\n  - wait:\n      listen:\n        to: { any: [] }\n`, bus);
    await listening(bus);
    await bus.publish(ev('t', 'new'));
    expect(await run).toEqual({ status: 'completed', output: ['new'] });
  });

  it('any with filters: data expressions on the event data; an event of another shape is no match, not a fault', async () => {
    const bus = createEventBus();
    const run = start(
      `do:
  - callDoctor:
      listen:
        to:
          any:
          - with:
              type: vitals.temperature
              data: \${ .temperature > 38 }
          - with:
              type: vitals.bpm
              data: \${ .bpm < 60 or .bpm > 100 }
`,
      bus,
    );
    await listening(bus);
    await bus.publish(ev('vitals.temperature', 'not an object'));
    await bus.publish(ev('vitals.temperature', { temperature: 37 }));
    await bus.publish(ev('vitals.bpm', { bpm: 120 }));
    expect(await run).toEqual({ status: 'completed', output: [{ bpm: 120 }] });
  });

  it('all with correlate: the first value fixes the expectation; other keys are ignored; output in arrival order', async () => {
    const bus = createEventBus();
    const run = start(
      `do:
  - both:
      listen:
        to:
          all:
          - with: { type: order.paid }
            correlate: { order: { from: .data.orderId } }
          - with: { type: order.packed }
            correlate: { order: { from: .data.orderId } }
`,
      bus,
    );
    await listening(bus);
    await bus.publish(ev('order.packed', { orderId: 1, step: 'packed' }));
    await bus.publish(ev('order.paid', { orderId: 2, step: 'paid-other' }));
    await bus.publish(ev('order.packed', { orderId: 1, step: 'packed-again' }));
    await bus.publish(ev('order.paid', { orderId: 1, step: 'paid' }));
    expect(await run).toEqual({ status: 'completed', output: [{ orderId: 1, step: 'packed' }, { orderId: 1, step: 'paid' }] });
  });

  it('correlate with expect: compares with a value computed from the task input', async () => {
    const bus = createEventBus();
    const run = start(
      `do:
  - mine:
      listen:
        to:
          one:
            with: { type: order.paid }
            correlate: { order: { from: .subject, expect: '\${ .orderId }' } }
`,
      bus,
      { input: { orderId: 'o-9' } },
    );
    await listening(bus);
    await bus.publish(ev('order.paid', 'other', { subject: 'o-1' }));
    await bus.publish(ev('order.paid', 'mine', { subject: 'o-9' }));
    expect(await run).toEqual({ status: 'completed', output: ['mine'] });
  });

  it('literal filters: exact strings, regular expressions, extension attributes', async () => {
    const bus = createEventBus();
    const run = start(`do:\n  - l:\n      listen:\n        to:\n          one:\n            with: { type: 'com\\.shop\\.(order|cart)\\..+', region: eu }\n`, bus);
    await listening(bus);
    await bus.publish(ev('com.shop.order.placed', 1, { region: 'us' }));
    await bus.publish(ev('com.shop.invoice.sent', 2, { region: 'eu' }));
    await bus.publish(ev('com.shop.cart.emptied', 3, { region: 'eu' }));
    expect(await run).toEqual({ status: 'completed', output: [3] });
  });

  it('any + until expression: consumes until the condition on the consumed events holds', async () => {
    const bus = createEventBus();
    const run = start(`do:\n  - l:\n      listen:\n        to:\n          any: []\n          until: ( . | length ) > 2\n`, bus);
    await listening(bus);
    for (let i = 1; i <= 5; i++) await bus.publish(ev('t', i));
    expect(await run).toEqual({ status: 'completed', output: [1, 2, 3] });
    expect(bus.subscribers).toBe(0);
  });

  it('any + until events: consumes until the until event comes, which is not part of the output', async () => {
    const bus = createEventBus();
    const run = start(
      `do:
  - l:
      listen:
        to:
          any:
            - with: { type: reading }
          until:
            one:
              with: { type: checked-out }
`,
      bus,
    );
    await listening(bus);
    await bus.publish(ev('reading', 1));
    await bus.publish(ev('noise', 0));
    await bus.publish(ev('reading', 2));
    await bus.publish(ev('checked-out', 'bye'));
    await bus.publish(ev('reading', 3));
    expect(await run).toEqual({ status: 'completed', output: [1, 2] });
  });

  it('read: envelope and raw', async () => {
    const bus = createEventBus();
    const envelope = start(`do:\n  - l:\n      listen:\n        to: { one: { with: { type: a } } }\n        read: envelope\n`, bus);
    const raw = start(`do:\n  - l:\n      listen:\n        to: { one: { with: { type: a } } }\n        read: raw\n`, bus);
    await listening(bus, 2);
    const published = await bus.publish(ev('a', { x: 1 }));
    expect(await envelope).toEqual({ status: 'completed', output: [published.event] });
    expect(await raw).toEqual({ status: 'completed', output: ['{"x":1}'] });
  });

  it('foreach: runs the tasks per event with item/at, applies output.as and export.as', async () => {
    const bus = createEventBus();
    const run = start(
      `do:
  - l:
      listen:
        to:
          any: []
          until: '\${ length == 2 }'
      foreach:
        item: event
        at: i
        do:
          - tag:
              set: { n: '\${ $event.n * 10 }', at: '\${ $i }' }
        output:
          as: .n
        export:
          as: '$context + { last: . }'
  - after:
      set: { out: '\${ . }', ctx: '\${ $context }' }
`,
      bus,
    );
    await listening(bus);
    await bus.publish(ev('t', { n: 1 }));
    await bus.publish(ev('t', { n: 2 }));
    expect(await run).toEqual({ status: 'completed', output: { out: [10, 20], ctx: { last: 20 } } });
  });

  it('faults clearly without an event bus', async () => {
    const r = await runWorkflow(loadWorkflow(HEAD + `do:\n  - l:\n      listen:\n        to: { any: [] }\n`));
    expect(r.status).toBe('faulted');
    expect(r.error).toMatchObject({ status: 501, instance: '/do/0/l' });
    expect(r.error?.detail).toMatch(/listen needs an event bus/);
  });

  it('cancelling the run stops listening', async () => {
    const bus = createEventBus();
    const ctrl = new AbortController();
    const run = start(`do:\n  - l:\n      listen:\n        to: { any: [] }\n`, bus, { signal: ctrl.signal });
    await listening(bus);
    ctrl.abort();
    expect((await run).status).toBe('cancelled');
    expect(bus.subscribers).toBe(0);
  });

  it('a task timeout ends the wait with a timeout error', async () => {
    const bus = createEventBus();
    const clock = new ManualClock();
    const run = start(`do:\n  - l:\n      timeout: { after: PT1M }\n      listen:\n        to: { one: { with: { type: never } } }\n`, bus, { clock });
    await listening(bus);
    clock.advance(60_000);
    const r = await run;
    expect(r.status).toBe('faulted');
    expect(r.error).toMatchObject({ status: 408, instance: '/do/0/l' });
    expect(bus.subscribers).toBe(0);
  });
});

describe('listen durability', () => {
  /** A task runtime around a hand-made run state (what a resumed run hands the task). */
  function runtime(def: WorkflowDefinition, state: RunState, bus: MemoryEventBus, signal = new AbortController().signal): TaskRuntime {
    const args = { $context: state.context };
    const valueAt = (pointer: string, input: unknown, extra = {}) => evaluateValue(def.valueAt(pointer), input, { ...args, ...extra });
    const task = def.do.tasks[0];
    return {
      def,
      options: { events: bus },
      clock: new ManualClock(),
      runId: state.runId,
      state,
      scope: { vars: {}, loop: [], signal },
      args,
      value: (suffix, input, extra) => valueAt(task.pointer + suffix, input, extra),
      valueAt,
      runList: () => Promise.reject(new Error('no lists here')),
      runTask: () => Promise.reject(new Error('no tasks here')),
      transition: () => {},
      key: `${task.pointer}#0`,
      sleep: () => Promise.resolve(),
      withTimeout: (_ms, _i, fn) => fn(signal),
    };
  }
  const newState = (): RunState => ({ runId: 'r1', status: 'running', input: {}, context: {}, outputs: {}, attempts: {}, startedAt: 0, tasks: {}, timers: {}, progress: {} });
  const ALL = `do:\n  - l:\n      listen:\n        to:\n          all:\n            - with: { type: a }\n            - with: { type: b }\n`;

  it('records each accepted event; a resumed listen keeps what it had and reads the bus from where it was', async () => {
    const def = loadWorkflow(HEAD + ALL);
    const bus = createEventBus();
    const state = newState();
    const ctrl = new AbortController();
    const first = listenTask(def.do.tasks[0], {}, runtime(def, state, bus, ctrl.signal));
    await listening(bus);
    await bus.publish(ev('a', 'A'));
    const progress = state.progress['/do/0/l#0'] as ListenProgress;
    await waitFor(() => progress.consumed.length === 1, { message: 'the first event to be consumed' });
    // the run is suspended (its listen aborted) and its state persisted
    ctrl.abort(new Error('suspended'));
    await expect(first).rejects.toThrow('suspended');
    const persisted = JSON.parse(JSON.stringify(state)) as RunState;
    expect(persisted.progress['/do/0/l#0']).toMatchObject({ afterSeq: 1, consumed: ['A'], queue: [] });
    // meanwhile b is published: the resumed listen finds it in the bus
    await bus.publish(ev('b', 'B'));
    const resumed = await listenTask(def.do.tasks[0], {}, runtime(def, persisted, bus));
    expect(resumed).toEqual({ output: ['A', 'B'] });
  });

  it('a suspended run resumes its listen: events accepted before stay, foreach exports stay, the rest is awaited', async () => {
    const def = loadWorkflow(
      HEAD +
        `do:
  - l:
      listen:
        to:
          all:
            - with: { type: a }
            - with: { type: b }
      foreach:
        do:
          - double:
              set: { v: '\${ . * 2 }' }
        export:
          as: '$context + { seen: (($context.seen // []) + [.v]) }'
  - done:
      set: { out: '\${ . }', seen: '\${ $context.seen }' }
`,
    );
    const bus = createEventBus();
    const clock = new ManualClock();
    let saved: RunState | undefined;
    const first = startRun(def, { events: bus, clock, onTransition: (s) => (saved = JSON.parse(JSON.stringify(s)) as RunState) });
    await listening(bus);
    await bus.publish(ev('a', 1));
    await waitFor(() => Object.values(saved?.tasks ?? {}).some((t) => t.name === 'double' && t.status === 'completed'), { message: 'the first event to be processed' });
    first.suspend();
    expect((await first.result).status).toBe('suspended');
    expect(bus.subscribers).toBe(0);
    await bus.publish(ev('b', 5));
    const second = startRun(def, { events: bus, clock, resume: saved });
    expect(await second.result).toEqual({ status: 'completed', output: { out: [{ v: 2 }, { v: 10 }], seen: [2, 10] } });
  });

  it('after a daemon restart (a new bus) it processes the accepted events it had queued and reads the new bus from its start', async () => {
    const def = loadWorkflow(HEAD + ALL);
    const oldBus = createEventBus();
    const state = newState();
    const queued = await oldBus.publish(ev('a', 'A'));
    state.progress['/do/0/l#0'] = { epoch: oldBus.epoch, afterSeq: 40, queue: [queued], consumed: [], strategy: { matched: [true, false], count: 1, correlations: {} } } satisfies ListenProgress;
    const bus = createEventBus();
    await bus.publish(ev('b', 'B')); // seq 1 of the new bus, before the run resumed
    const r = await listenTask(def.do.tasks[0], {}, runtime(def, state, bus));
    expect(r).toEqual({ output: ['A', 'B'] });
  });
});
