import { describe, expect, it } from 'vitest';
import type { RunDetail, RunSummary, TaskRecord } from '../../client/index.js';
import { elapsed, errorText, runDetailText, runFaultText, runRows, TaskLines, taskRows, workflowRows } from './workflow-format.js';

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const cells = (rows: string[][]) => rows.map((r) => r.map(plain));

const notFound = { type: 'https://serverlessworkflow.io/spec/1.0.0/errors/communication', status: 404, title: 'Not Found', detail: 'no pet 7', instance: '/do/1/getPet' };
const T0 = Date.UTC(2026, 0, 31, 12, 0, 0);

describe('durations and errors', () => {
  it('shows tenths of seconds under a minute', () => {
    expect([elapsed(12.4), elapsed(999), elapsed(1500), elapsed(59_940), elapsed(150_000), elapsed(-5)]).toEqual(['12ms', '999ms', '1.5s', '59.9s', '2m30s', '0ms']);
  });

  it('says what went wrong, of which kind, and where', () => {
    expect(errorText(notFound)).toBe('Not Found (communication, 404): no pet 7');
    expect(errorText({ type: 'https://serverlessworkflow.io/dsl/errors/types/timeout', status: 408 })).toBe('timeout error (408)');
    expect(errorText({ type: 'urn:acme:out-of-stock', status: 409, title: 'Out of stock', detail: 'Out of stock' })).toBe('Out of stock (urn:acme:out-of-stock, 409)');
    expect(runFaultText({ id: 'r1', error: notFound })).toBe('run r1 faulted at /do/1/getPet: Not Found (communication, 404): no pet 7');
    expect(runFaultText({ id: 'r1' })).toBe('run r1 faulted');
  });
});

describe('tables', () => {
  it('lists workflows with their latest version and how many are kept', () => {
    expect(workflowRows([
      { name: 'order', version: '2.0.0', versions: ['2.0.0', '1.0.0'], namespace: 'shop', createdAt: 1, origin: 'manifest', title: 'Place an order' },
      { name: 'tick', version: '0.1.0', versions: ['0.1.0'], namespace: 'ops', createdAt: 2, origin: 'api' },
    ])).toEqual([
      ['order', '2.0.0', '2', 'manifest', 'Place an order'],
      ['tick', '0.1.0', '1', 'api', '-'],
    ]);
  });

  it('lists runs with when they started and how long they took (or have been running)', () => {
    const base: RunSummary = { id: 'r1', workflow: 'order', version: '1.0.0', status: 'completed', input: {}, createdAt: T0, updatedAt: T0 + 1500, endedAt: T0 + 1500 };
    const now = T0 + 120_000;
    expect(cells(runRows([base, { ...base, id: 'r2', status: 'running', endedAt: undefined }, { ...base, id: 'r3', status: 'suspended', endedAt: undefined, updatedAt: T0 + 4000 }], now))).toEqual([
      ['r1', 'order', '1.0.0', 'completed', '2m ago', '1.5s'],
      ['r2', 'order', '1.0.0', 'running', '2m ago', '2m'],
      ['r3', 'order', '1.0.0', 'suspended', '2m ago', '4.0s'],
    ]);
  });

  it('lays out the task timeline from the run start', () => {
    const tasks: TaskRecord[] = [
      { pointer: '/do/0/each/for/do/0/add', name: 'add', loop: [2], status: 'completed', startedAt: T0 + 5, endedAt: T0 + 17 },
      { pointer: '/do/1/getPet', name: 'getPet', status: 'faulted', startedAt: T0 + 20, endedAt: T0 + 1020, retries: 2, error: notFound },
      { pointer: '/do/2/wait', name: 'wait', status: 'running', startedAt: T0 + 1100 },
    ];
    expect(cells(taskRows(tasks, T0, T0 + 3100))).toEqual([
      ['add', '/do/0/each/for/do/0/add', '[2]', 'completed', '+5ms', '12ms', '-', '-'],
      ['getPet', '/do/1/getPet', '-', 'faulted', '+20ms', '1.0s', '2', 'Not Found (communication, 404): no pet 7'],
      ['wait', '/do/2/wait', '-', 'running', '+1.1s', '2.0s…', '-', '-'],
    ]);
  });

  it('shows a run: summary, error with its pointer, timeline, input; output only once completed', () => {
    const run: RunDetail = {
      id: 'r9', workflow: 'pets', version: '1.0.0', status: 'faulted', input: { petId: 7 }, error: notFound,
      createdAt: T0, updatedAt: T0 + 1020, endedAt: T0 + 1020, position: { pointer: '/do/1/getPet' }, context: {},
      tasks: [{ key: '/do/1/getPet#0', pointer: '/do/1/getPet', name: 'getPet', status: 'faulted', startedAt: T0 + 20, endedAt: T0 + 1020, error: notFound }],
    };
    const text = plain(runDetailText(run, T0 + 60_000));
    expect(text).toContain('workflow  pets 1.0.0');
    expect(text).toContain('status    faulted');
    expect(text).toContain('started   2026-01-31T12:00:00.000Z (1m ago) · ended 2026-01-31T12:00:01.020Z');
    expect(text).toContain('duration  1.0s');
    expect(text).toContain('position  /do/1/getPet');
    expect(text).toContain('error     faulted at /do/1/getPet: Not Found (communication, 404): no pet 7');
    expect(text).toMatch(/TASK\s+POINTER\s+LOOP\s+STATUS\s+START\s+DURATION\s+RETRIES\s+ERROR\ngetPet\s+\/do\/1\/getPet/);
    expect(text).toContain('input\n{\n  "petId": 7\n}');
    expect(text).not.toContain('output');
    const done = plain(runDetailText({ ...run, status: 'completed', error: undefined, output: { name: 'Rex' }, tasks: [] }, T0 + 60_000));
    expect(done).toContain('output\n{\n  "name": "Rex"\n}');
    expect(done).toContain('no task has started');
    expect(done).not.toContain('position');
  });
});

describe('TaskLines (run --wait)', () => {
  const at = (ms: number) => new Date(T0 + ms).toISOString();

  it('prints one line per finished task with its duration, none for starts', () => {
    const lines = new TaskLines();
    expect(lines.line({ type: 'started', name: 'reserve', pointer: '/do/0/reserve', time: at(0), key: '/do/0/reserve#0' })).toBeUndefined();
    expect(plain(lines.line({ type: 'completed', name: 'reserve', pointer: '/do/0/reserve', time: at(12), key: '/do/0/reserve#0' })!)).toBe('✓ reserve (/do/0/reserve) 12ms');
    lines.line({ type: 'started', name: 'add', pointer: '/do/1/each/for/do/0/add', loop: [3], time: at(20) });
    expect(plain(lines.line({ type: 'completed', name: 'add', pointer: '/do/1/each/for/do/0/add', loop: [3], time: at(21) })!)).toBe('✓ add (/do/1/each/for/do/0/add[3]) 1ms');
    expect(plain(lines.line({ type: 'faulted', name: 'getPet', pointer: '/do/2/getPet', time: at(30), error: notFound })!)).toBe('✗ getPet (/do/2/getPet) Not Found (communication, 404): no pet 7');
  });

  it('catches up with the tasks that ended before the watch began, in the order they ended', () => {
    const lines = new TaskLines();
    lines.line({ type: 'completed', name: 'b', pointer: '/do/1/b', time: at(5) });
    const records: TaskRecord[] = [
      { pointer: '/do/0/a', name: 'a', status: 'completed', startedAt: T0, endedAt: T0 + 9 },
      { pointer: '/do/1/b', name: 'b', status: 'completed', startedAt: T0 + 1, endedAt: T0 + 5 },
      { pointer: '/do/2/loop/for/do/0/c', name: 'c', loop: [0], status: 'completed', startedAt: T0 + 2, endedAt: T0 + 3 },
      { pointer: '/do/3/d', name: 'd', status: 'running', startedAt: T0 + 4 },
    ];
    expect(lines.catchUp(records).map(plain)).toEqual(['✓ c (/do/2/loop/for/do/0/c[0]) 1ms', '✓ a (/do/0/a) 9ms']);
  });

  it('puts a task before the one containing it when both end in the same millisecond', () => {
    const records: TaskRecord[] = [
      { pointer: '/do/0/each', name: 'each', status: 'completed', startedAt: T0 + 1, endedAt: T0 + 17 },
      { pointer: '/do/0/each/do/0/add', name: 'add', loop: [0], status: 'completed', startedAt: T0 + 15, endedAt: T0 + 17 },
      { pointer: '/do/0/each/do/0/add', name: 'add', loop: [1], status: 'completed', startedAt: T0 + 17, endedAt: T0 + 17 },
      { pointer: '/do/1/next', name: 'next', status: 'completed', startedAt: T0 + 17, endedAt: T0 + 17 },
    ];
    expect(new TaskLines().catchUp(records).map((l) => plain(l).split(' ')[1] + plain(l).split(' ')[2])).toEqual([
      'add(/do/0/each/do/0/add[0])',
      'add(/do/0/each/do/0/add[1])',
      'each(/do/0/each)',
      'next(/do/1/next)',
    ]);
  });
});
