import { describe, expect, it } from 'vitest';
import { bucketQuantile } from './quantile.js';
import { rows, run, series } from './test-series.js';

const REQ = [
  series({ __name__: 'req', job: 'api', instance: 'a', code: '200' }, [590, 10]),
  series({ __name__: 'req', job: 'api', instance: 'b', code: '200' }, [590, 20]),
  series({ __name__: 'req', job: 'api', instance: 'a', code: '500' }, [590, 5]),
  series({ __name__: 'req', job: 'db', instance: 'c', code: '200' }, [590, 7]),
];

describe('aggregations', () => {
  it.each([
    ['sum(req)', [['{}', 42]]],
    ['sum by (job) (req)', [['{job="api"}', 35], ['{job="db"}', 7]]],
    ['sum(req) by (job)', [['{job="api"}', 35], ['{job="db"}', 7]]],
    ['sum without (instance, code) (req)', [['{job="api"}', 35], ['{job="db"}', 7]]],
    ['sum without (code) (req)', [
      ['{instance="a", job="api"}', 15], ['{instance="b", job="api"}', 20], ['{instance="c", job="db"}', 7],
    ]],
    ['avg by (job) (req)', [['{job="api"}', 35 / 3], ['{job="db"}', 7]]],
    ['max by (job) (req)', [['{job="api"}', 20], ['{job="db"}', 7]]],
    ['min by (job) (req)', [['{job="api"}', 5], ['{job="db"}', 7]]],
    ['count by (code) (req)', [['{code="200"}', 3], ['{code="500"}', 1]]],
    ['count without (instance) (req)', [['{code="200", job="api"}', 2], ['{code="500", job="api"}', 1], ['{code="200", job="db"}', 1]]],
    ['sum by (zone) (req)', [['{}', 42]]],
    ['sum by (__name__) (req)', [['{__name__="req"}', 42]]],
    ['count(nonexistent)', []],
    ['sum by (job) (req{code="500"}) / sum by (job) (req)', [['{job="api"}', 5 / 35]]],
    ['sum by (job) (req) > 10', [['{job="api"}', 35]]],
    ['max(req) - min(req)', [['{}', 15]]],
  ])('%s', (expr, expected) => {
    const got = rows(run(expr, REQ));
    expect(got).toEqual([...expected].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  });

  it('lets any number win over NaN in max and min', () => {
    const data = [series({ __name__: 'g', i: '1' }, [590, NaN]), series({ __name__: 'g', i: '2' }, [590, 3])];
    expect(rows(run('max(g)', data))).toEqual([['{}', 3]]);
    expect(rows(run('min(g)', data))).toEqual([['{}', 3]]);
  });

  it('sums with compensation, so small terms are not lost next to large ones', () => {
    const data = [1e16, 1, 1, -1e16].map((v, i) => series({ __name__: 'g', i: String(i) }, [590, v]));
    expect(rows(run('sum(g)', data))).toEqual([['{}', 2]]);
    expect(rows(run('avg(g)', data))).toEqual([['{}', 0.5]]);
  });
});

describe('histogram_quantile', () => {
  // Cumulative buckets of job="api": 10 observations ≤ 0.1, 30 ≤ 0.5, 40 ≤ 1, 50 in all.
  const bucket = (job: string, le: string, v: number) =>
    series({ __name__: 'latency_bucket', job, le }, [590, v]);
  const HIST = [
    bucket('api', '0.1', 10), bucket('api', '0.5', 30), bucket('api', '1', 40), bucket('api', '+Inf', 50),
    // No observations at all.
    bucket('idle', '0.1', 0), bucket('idle', '+Inf', 0),
    // No +Inf bucket: not a valid histogram.
    bucket('broken', '0.1', 1), bucket('broken', '1', 2),
  ];

  it.each([
    // rank 25 falls in (0.1, 0.5] holding 30 − 10 = 20: 0.1 + 0.4 × (25 − 10) / 20 = 0.4.
    [0.5, 0.4],
    // rank 5 falls in the first bucket, which starts at 0: 0.1 × 5 / 10 = 0.05.
    [0.1, 0.05],
    // rank 40 is exactly the count of le="1": 0.5 + 0.5 × (40 − 30) / 10 = 1.
    [0.8, 1],
    // rank 45 lies in the +Inf bucket: the highest finite bound, 1.
    [0.9, 1],
  ])('φ = %d → %d', (q, expected) => {
    const result = rows(run(`histogram_quantile(${q}, latency_bucket)`, HIST));
    expect(result.map(([l]) => l)).toEqual(['{job="api"}', '{job="broken"}', '{job="idle"}']);
    expect(result[0][1]).toBeCloseTo(expected, 12);
    expect(result[1][1]).toBeNaN();
    expect(result[2][1]).toBeNaN();
  });

  it('answers ±Inf for φ outside [0, 1], whatever the buckets', () => {
    expect(rows(run('histogram_quantile(1.5, latency_bucket)', HIST)).map(([, v]) => v)).toEqual([Infinity, Infinity, Infinity]);
    expect(rows(run('histogram_quantile(-1, latency_bucket)', HIST)).map(([, v]) => v)).toEqual([-Infinity, -Infinity, -Infinity]);
  });

  it('works on the usual rate of buckets summed by le', () => {
    // Two instances whose bucket counters grew by the table above, split 1:1, over 5 minutes.
    const grow = (instance: string, le: string, total: number) =>
      series({ __name__: 'h_bucket', instance, le }, [310, 0], [550, total / 2]);
    const data = [
      ...['a', 'b'].flatMap((i) => [grow(i, '0.1', 10), grow(i, '0.5', 30), grow(i, '1', 40), grow(i, '+Inf', 50)]),
    ];
    const [[labels, value]] = rows(run('histogram_quantile(0.5, sum by (le) (rate(h_bucket[5m])))', data));
    expect(labels).toBe('{}');
    expect(value).toBeCloseTo(0.4, 12);
  });

  it.each([
    ['sorts buckets and merges equal bounds', [[1, 30], [Infinity, 50], [0.1, 5], [0.1, 5], [0.5, 30]], 0.5, 0.4],
    // The 0.5 bucket fell below the 0.1 bucket and is raised to 10. Rank 12 then falls in
    // (0.5, 1] holding 20 − 10: 0.5 + 0.5 × (12 − 10) / 10 = 0.6 (unrepaired: 0.7333…).
    ['repairs counts that decrease', [[0.1, 10], [0.5, 5], [1, 20], [Infinity, 20]], 0.6, 0.6],
    ['returns a non-positive lowest bound as is', [[-1, 10], [0, 20], [Infinity, 20]], 0.25, -1],
    ['is NaN with only the +Inf bucket', [[Infinity, 20]], 0.5, NaN],
    ['is NaN for φ = NaN', [[0.1, 1], [Infinity, 2]], NaN, NaN],
  ] as const)('bucketQuantile %s', (_, buckets, q, expected) => {
    const value = bucketQuantile(q, buckets.map(([upperBound, count]) => ({ upperBound, count })));
    if (Number.isNaN(expected)) expect(value).toBeNaN();
    else expect(value).toBeCloseTo(expected, 12);
  });
});
