import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../definition/index.js';
import { ManualClock, runWorkflow, type RunWorkflowOptions, type TaskEvent } from './index.js';
import { waitFor } from '../../core/test-wait.js';

const HEAD = `document: { dsl: '1.0.3', namespace: test, name: wf, version: '1.0.0' }\n`;

function run(body: string, opts: RunWorkflowOptions = {}) {
  return runWorkflow(loadWorkflow(HEAD + body), opts);
}

/** polls a condition (no fixed sleeps) */
const until = (cond: () => boolean, ms = 2000) => waitFor(cond, { timeout: ms, interval: 0 });

describe('data flow', () => {
  const cases: Array<[string, string, unknown, unknown]> = [
    ['task input.from', `do:\n  - a:\n      input: { from: .user }\n      set: { name: '\${ .name }' }\n`, { user: { name: 'ann' }, x: 1 }, { name: 'ann' }],
    ['task output.as', `do:\n  - a:\n      set: { a: 1, b: 2 }\n      output: { as: .b }\n`, {}, 2],
    ['output.as sees $input', `do:\n  - a:\n      input: { from: .n }\n      set: { v: 5 }\n      output: { as: '{ in: $input, v: .v }' }\n`, { n: 3 }, { in: 3, v: 5 }],
    ['export.as into $context', `do:\n  - a:\n      set: { a: 1 }\n      export: { as: '$context + { saved: .a }' }\n  - b:\n      set: { got: '\${ $context.saved }', prev: '\${ . }' }\n`, {}, { got: 1, prev: { a: 1 } }],
    ['export.as sees $output', `do:\n  - a:\n      set: { a: 7 }\n      export: { as: '{ o: $output.a }' }\n  - b:\n      set: { c: '\${ $context }' }\n`, {}, { c: { o: 7 } }],
    ['workflow input.from and output.as', `input: { from: .order }\noutput: { as: '.total' }\ndo:\n  - a:\n      set: { total: '\${ .qty * .price }' }\n`, { order: { qty: 3, price: 2 } }, 6],
    ['if false skips the task (input passes through)', `do:\n  - a:\n      if: .n > 5\n      set: { big: true }\n`, { n: 1 }, { n: 1 }],
    ['if true runs it', `do:\n  - a:\n      if: .n > 5\n      set: { big: true }\n`, { n: 9 }, { big: true }],
    ['$task and $workflow', `do:\n  - a:\n      set: { ref: '\${ $task.reference }', raw: '\${ $workflow.input.k }' }\n`, { k: 'v' }, { ref: '/do/0/a', raw: 'v' }],
    ['$secrets', `do:\n  - a:\n      input: { from: '{ k: $secrets.key }' }\n      set: { k: '\${ .k }' }\n`, {}, { k: 's3' }],
    ['for with while', `do:\n  - loop:\n      for: { in: .xs }\n      while: '.sum < 3'\n      do:\n        - add:\n            set: { sum: '\${ .sum + $item }' }\n`, { xs: [1, 2, 3, 4], sum: 0 }, { sum: 3 }],
  ];
  it.each(cases)('%s', async (_name, body, input, output) => {
    const r = await run(body, { input, secrets: { key: 's3' } });
    expect(r).toEqual({ status: 'completed', output });
  });
});

describe('flow directives', () => {
  it('then: <task> jumps, then: exit leaves the enclosing list, then: end stops the workflow', async () => {
    const events: TaskEvent[] = [];
    const r = await run(
      `do:
  - outer:
      do:
        - a:
            set: { path: [a] }
            then: c
        - b:
            set: { path: '\${ .path + ["b"] }' }
        - c:
            set: { path: '\${ .path + ["c"] }' }
            then: exit
        - d:
            set: { path: '\${ .path + ["d"] }' }
  - e:
      do:
        - f:
            set: { path: '\${ .path + ["f"] }' }
            then: end
  - g:
      set: { path: '\${ .path + ["g"] }' }
`,
      { onTask: (e) => events.push(e) },
    );
    expect(r).toEqual({ status: 'completed', output: { path: ['a', 'c', 'f'] } });
    expect(events.filter((e) => e.type === 'started').map((e) => e.name)).toEqual(['outer', 'a', 'c', 'e', 'f']);
  });

  it('switch picks the first matching case, else its default', async () => {
    const body = `do:
  - pick:
      switch:
        - big: { when: .n > 10, then: large }
        - other: { then: small }
  - small:
      set: { size: small }
      then: end
  - large:
      set: { size: large }
`;
    expect((await run(body, { input: { n: 50 } })).output).toEqual({ size: 'large' });
    expect((await run(body, { input: { n: 1 } })).output).toEqual({ size: 'small' });
  });
});

describe('errors', () => {
  const errors = `use:
  errors:
    notFound:
      type: https://serverlessworkflow.io/spec/1.0.0/errors/communication
      status: 404
      title: Not found
      detail: '\${ "no order " + (.id | tostring) }'
`;
  it('raise with a reusable error faults with its instance', async () => {
    const r = await run(`${errors}do:\n  - check:\n      raise: { error: notFound }\n`, { input: { id: 7 } });
    expect(r).toEqual({
      status: 'faulted',
      error: { type: 'https://serverlessworkflow.io/spec/1.0.0/errors/communication', status: 404, title: 'Not found', detail: 'no order 7', instance: '/do/0/check' },
    });
  });

  it('a catch filter written with the ctk spelling of the type catches it', async () => {
    const r = await run(`${errors}do:
  - guard:
      try:
        - check:
            raise: { error: notFound }
      catch:
        errors: { with: { type: https://serverlessworkflow.io/dsl/errors/types/communication, status: 404 } }
        as: e
        do:
          - note:
              set: { caught: '\${ $e.instance }' }
`, { input: { id: 7 } });
    expect(r).toEqual({ status: 'completed', output: { caught: '/do/0/guard/try/0/check' } });
  });

  it('a jq error is an expression error naming the expression', async () => {
    const r = await run(`do:\n  - a:\n      set: { x: '\${ .a.b.c + 1 }' }\n`, { input: { a: 'str' } });
    expect(r.status).toBe('faulted');
    expect(r.error).toMatchObject({ type: 'https://serverlessworkflow.io/spec/1.0.0/errors/expression', status: 400, instance: '/do/0/a/set/x' });
  });

  it('unsupported tasks fault with a clear message', async () => {
    const r = await run(`do:\n  - l:\n      run: { workflow: { namespace: test, name: other, version: '1.0.0' }, await: false }\n`);
    expect(r.error).toMatchObject({ status: 501, instance: '/do/0/l' });
    expect(r.error?.detail).toMatch(/^not supported yet: run.workflow with await: false/);
  });
});

describe('timeouts', () => {
  it('a task timeout interrupts the task with a timeout error', async () => {
    const clock = new ManualClock();
    const done = run(`do:\n  - slow:\n      wait: PT1H\n      timeout: { after: PT1M }\n  - next:\n      set: { reached: true }\n`, { clock });
    await until(() => clock.pending === 2);
    clock.advance(60_000);
    expect(await done).toEqual({
      status: 'faulted',
      error: { type: 'https://serverlessworkflow.io/spec/1.0.0/errors/timeout', status: 408, title: 'Timeout', detail: 'timed out after 60000 ms', instance: '/do/0/slow' },
    });
    expect(clock.pending).toBe(0);
  });

  it('a reusable workflow timeout stops the run', async () => {
    const clock = new ManualClock();
    const done = run(`use:\n  timeouts:\n    short: { after: { seconds: 30 } }\ntimeout: short\ndo:\n  - a:\n      wait: { minutes: 5 }\n`, { clock });
    await until(() => clock.pending === 2);
    clock.advance(29_999);
    expect(clock.pending).toBe(2);
    clock.advance(1);
    const r = await done;
    expect(r.status).toBe('faulted');
    expect(r.error).toMatchObject({ status: 408, instance: '/' });
  });

  it('a wait completes when its time comes', async () => {
    const clock = new ManualClock();
    const done = run(`do:\n  - a:\n      wait: PT2S\n  - b:\n      set: { ok: true }\n`, { clock });
    await until(() => clock.pending === 1);
    clock.advance(2000);
    expect(await done).toEqual({ status: 'completed', output: { ok: true } });
  });
});

describe('fork', () => {
  it('compete: the first branch to complete wins and the others are cancelled', async () => {
    const clock = new ManualClock();
    const events: TaskEvent[] = [];
    const r = await run(
      `do:
  - race:
      fork:
        compete: true
        branches:
          - slow:
              do:
                - pause: { wait: PT10S }
                - mark: { set: { winner: slow } }
          - fast:
              set: { winner: fast }
`,
      { clock, onTask: (e) => events.push(e) },
    );
    expect(r).toEqual({ status: 'completed', output: { winner: 'fast' } });
    expect(clock.pending).toBe(0);
    expect(events.some((e) => e.name === 'mark')).toBe(false);
    expect(events.find((e) => e.name === 'pause' && e.type !== 'started')).toBeUndefined();
  });

  it('without compete the output lists every branch', async () => {
    const r = await run(`do:\n  - all:\n      fork:\n        branches:\n          - a: { set: { v: 1 } }\n          - b: { set: { v: 2 } }\n`);
    expect(r).toEqual({ status: 'completed', output: [{ v: 1 }, { v: 2 }] });
  });
});

describe('cancellation', () => {
  it('aborting the signal cancels the run', async () => {
    const clock = new ManualClock();
    const ctrl = new AbortController();
    const done = run(`do:\n  - a:\n      wait: PT1H\n`, { clock, signal: ctrl.signal });
    await until(() => clock.pending === 1);
    ctrl.abort();
    expect(await done).toEqual({ status: 'cancelled' });
  });
});
