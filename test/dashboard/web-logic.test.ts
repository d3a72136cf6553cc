// The dashboard's pure logic (web/src/lib, web/src/router.ts), tested with tables: the series
// math behind the charts, the workflow graph built from a definition, the run timeline, the
// run input form, and the routes the server must serve index.html for.

import { describe, expect, it } from 'vitest';
import { PAGE_ROUTES } from '../../src/server/dashboard/pages.js';
import { align, histogramQuantile, quantileOverTime, rates, sumBy } from '../../web/src/lib/series.js';
import { END, START, taskType, workflowGraph } from '../../web/src/lib/workflow-graph.js';
import { depthOf, timeline } from '../../web/src/lib/timeline.js';
import { fieldsToInput, inputFields, inputSchema, sampleInput } from '../../web/src/lib/run-input.js';
import { match } from '../../web/src/router.js';
import { parse } from 'yaml';

const pts = (...xs: Array<[number, number]>) => xs.map(([t, v]) => ({ t, v }));

describe('series math', () => {
  it('turns a counter into per-second rates, surviving a restart of the counter', () => {
    expect(rates(pts([0, 10], [1000, 15], [3000, 25], [4000, 2]))).toEqual(pts([1000, 5], [3000, 5], [4000, 2]));
    expect(rates(pts([0, 1]))).toEqual([]);
  });

  it('sums series by a key at equal times', () => {
    const series = [
      { labels: { instance: 'a', code: '2xx' }, points: pts([0, 1], [10, 2]) },
      { labels: { instance: 'b', code: '2xx' }, points: pts([0, 3], [10, 4]) },
      { labels: { instance: 'a', code: '5xx' }, points: pts([10, 1]) },
    ];
    expect([...sumBy(series, (l) => l.code)]).toEqual([
      ['2xx', pts([0, 4], [10, 6])],
      ['5xx', pts([10, 1])],
    ]);
  });

  it.each([
    // buckets: le → cumulative count; as Prometheus' histogram_quantile
    [0.5, [[0.1, 50], [0.5, 100], [Infinity, 100]], 0.1],
    [0.75, [[0.1, 50], [0.5, 100], [Infinity, 100]], 0.3],
    [0.99, [[0.1, 0], [1, 100], [Infinity, 100]], 0.991],
    [0.99, [[0.1, 10], [1, 10], [Infinity, 20]], 1],
    [0.5, [[0.1, 0], [Infinity, 0]], null],
  ] as Array<[number, Array<[number, number]>, number | null]>)('q%s of %j is %s', (q, buckets, want) => {
    const got = histogramQuantile(q, buckets.map(([le, count]) => ({ le, count })));
    if (want === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(want, 6);
  });

  it('computes a quantile over time from bucket counters', () => {
    const bucket = (le: string, a: number, b: number) => ({ labels: { le, instance: 'x' }, points: pts([0, a], [1000, b]) });
    // over the second: 10 requests, all ≤ 0.1 s, 5 of them ≤ 0.05 s
    const q = quantileOverTime(0.5, [bucket('0.05', 0, 5), bucket('0.1', 0, 10), bucket('+Inf', 0, 10)]);
    expect(q.get('all')).toEqual([{ t: 1000, v: 0.05 }]);
  });

  it('aligns series into uPlot columns with gaps as null', () => {
    const { names, data } = align(new Map([['a', pts([1000, 1], [2000, 2])], ['b', pts([2000, 5], [3000, 6])]]));
    expect(names).toEqual(['a', 'b']);
    expect(data).toEqual([[1, 2, 3], [1, 2, null], [null, 5, 6]]);
  });
});

describe('workflow graph', () => {
  const doc = parse(`
do:
  - price: { call: http, with: { method: get, endpoint: http://catalog/x } }
  - check:
      switch:
        - big: { when: '\${ .amount > 100 }', then: review }
        - small: { then: pay }
  - review: { set: { reviewed: true }, then: end }
  - pay:
      try:
        - charge: { call: http, with: { method: post, endpoint: http://payments/charge } }
      catch:
        do:
          - release: { call: http, with: { method: delete, endpoint: http://inventory/r } }
          - fail: { raise: { error: { type: x, status: 500 } } }
  - each:
      for: { in: '\${ .items }' }
      do:
        - ship: { wait: { seconds: 1 } }
  - both:
      fork:
        branches:
          - mail: { emit: { event: { with: { type: a } } } }
          - sms: { run: { workflow: { name: notify } } }
`) as Record<string, unknown>;
  const g = workflowGraph(doc);
  const edge = (from: string, to: string) => g.edges.find((e) => e.source === from && e.target === to);

  it('has one node per task, named by its JSON pointer, between start and end', () => {
    expect(g.nodes.map((n) => n.id)).toEqual([
      START,
      '/do/0/price',
      '/do/1/check',
      '/do/2/review',
      '/do/3/pay',
      '/do/3/pay/try/0/charge',
      '/do/3/pay/catch/do/0/release',
      '/do/3/pay/catch/do/1/fail',
      '/do/4/each',
      '/do/4/each/do/0/ship',
      '/do/5/both',
      '/do/5/both/fork/branches/0/mail',
      '/do/5/both/fork/branches/1/sms',
      END,
    ]);
    expect(g.nodes.find((n) => n.id === '/do/0/price')?.type).toBe('call http');
    expect(g.nodes.find((n) => n.id === '/do/5/both/fork/branches/1/sms')?.type).toBe('run workflow');
  });

  it('follows the flow: next task, switch cases, then: end, try, catch, loops and branches', () => {
    expect(edge(START, '/do/0/price')).toBeDefined();
    expect(edge('/do/0/price', '/do/1/check')).toBeDefined();
    expect(edge('/do/1/check', '/do/2/review')?.label).toBe('big');
    expect(edge('/do/1/check', '/do/3/pay')?.label).toBe('small');
    expect(edge('/do/1/check', '/do/2/review')).toBeDefined();
    expect(edge('/do/2/review', END)).toBeDefined();
    expect(edge('/do/2/review', '/do/3/pay')).toBeUndefined();
    expect(edge('/do/3/pay', '/do/3/pay/try/0/charge')).toBeDefined();
    expect(edge('/do/3/pay/try/0/charge', '/do/4/each')).toBeDefined();
    expect(edge('/do/3/pay', '/do/3/pay/catch/do/0/release')).toMatchObject({ label: 'catch', dashed: true });
    expect(edge('/do/3/pay/catch/do/1/fail', END)).toMatchObject({ label: 'fault' });
    expect(edge('/do/4/each', '/do/4/each/do/0/ship')?.label).toBe('each');
    expect(edge('/do/4/each/do/0/ship', '/do/4/each')).toBeDefined();
    expect(edge('/do/4/each', '/do/5/both')?.label).toBe('done');
    expect(edge('/do/5/both', '/do/5/both/fork/branches/0/mail')).toBeDefined();
    expect(edge('/do/5/both/fork/branches/1/sms', END)).toBeDefined();
  });

  it('names task kinds', () => {
    expect(taskType({ call: 'grpc' })).toBe('call grpc');
    expect(taskType({ for: {}, do: [] })).toBe('for');
    expect(taskType({ run: { shell: { command: 'x' } } })).toBe('run shell');
    expect(taskType({})).toBe('task');
  });

  it('draws an empty document as start → end', () => {
    expect(workflowGraph({}).edges).toEqual([{ id: 'e0', source: START, target: END }]);
  });
});

describe('run timeline', () => {
  it.each([
    ['/do/0/a', 0],
    ['/do/0/a/try/0/b', 1],
    ['/do/0/a/do/0/b/do/1/c', 2],
    ['/do/0/a/fork/branches/1/b', 1],
  ])('%s is at depth %i', (pointer, depth) => expect(depthOf(pointer)).toBe(depth));

  it('places each task by its start and duration in the run, a running one up to now', () => {
    const { rows, spanMs } = timeline(
      [
        { pointer: '/do/1/b', name: 'b', status: 'running', startedAt: 1500 },
        { pointer: '/do/0/a', name: 'a', status: 'completed', startedAt: 1000, endedAt: 1500, retries: 2 },
      ],
      1000,
      undefined,
      3000,
    );
    expect(spanMs).toBe(2000);
    expect(rows.map((r) => [r.name, r.left, r.width, r.durationMs, r.attempts])).toEqual([
      ['a', 0, 0.25, 500, 3],
      ['b', 0.25, 0.75, 1500, 1],
    ]);
  });
});

describe('run input form', () => {
  const document = parse(`
input:
  schema:
    format: json
    document:
      type: object
      required: [productId, quantity]
      properties:
        productId: { type: string }
        quantity: { type: integer, minimum: 1 }
        express: { type: boolean }
`) as Record<string, unknown>;

  it('makes fields of a flat object schema and reads them back', () => {
    const fields = inputFields(inputSchema(document))!;
    expect(fields.map((f) => [f.name, f.type, f.required])).toEqual([
      ['productId', 'string', true],
      ['quantity', 'integer', true],
      ['express', 'boolean', false],
    ]);
    expect(fieldsToInput(fields, { productId: 'espresso', quantity: '2', express: 'true' })).toEqual({ productId: 'espresso', quantity: 2, express: true });
    expect(() => fieldsToInput(fields, { productId: 'espresso', quantity: '1.5' })).toThrow(/quantity must be a whole number/);
    expect(() => fieldsToInput(fields, { quantity: '1' })).toThrow(/productId is required/);
  });

  it('falls back to a JSON document for nested schemas', () => {
    const schema = { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' } } } } } };
    expect(inputFields(schema)).toBeUndefined();
    expect(sampleInput(schema)).toEqual({ items: [{ id: '' }] });
    expect(inputSchema({})).toBeUndefined();
  });
});

describe('routes', () => {
  it.each([
    ['/', 'overview'],
    ['/topology', 'topology'],
    ['/services/orders', 'service'],
    ['/workflows/place-order', 'workflow'],
    ['/runs/abc', 'run'],
    ['/logs/', 'logs'],
    ['/nope', 'not-found'],
    ['/services/a/b', 'not-found'],
  ])('%s is the %s page', (path, page) => expect(match(path).page).toBe(page));

  it('are exactly the paths the server answers with the app', () => {
    const sample = (route: string) => route.replace(/:(\w+)/g, 'x');
    for (const route of PAGE_ROUTES) expect(match(sample(route)).page, route).not.toBe('not-found');
  });
});
