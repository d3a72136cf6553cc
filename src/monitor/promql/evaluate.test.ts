import { describe, expect, it } from 'vitest';
import { STALE } from './floats.js';
import { PromqlError } from './promql-error.js';
import { rows, run, scalar, series } from './test-series.js';

// Evaluated at t = 600 s with the default 5-minute lookback: the window is (300 s, 600 s].
const UP = [
  series({ __name__: 'up', job: 'api', instance: 'a' }, [590, 1]),
  series({ __name__: 'up', job: 'api', instance: 'b' }, [590, 0]),
  series({ __name__: 'up', job: 'db', instance: 'c' }, [590, 1]),
  series({ __name__: 'up', job: 'api-canary', instance: 'd' }, [590, 1]),
  series({ __name__: 'other', job: 'api', instance: 'a' }, [590, 7]),
];
const A = '{__name__="up", instance="a", job="api"}';
const B = '{__name__="up", instance="b", job="api"}';
const C = '{__name__="up", instance="c", job="db"}';
const D = '{__name__="up", instance="d", job="api-canary"}';

describe('instant selectors and matchers', () => {
  it.each([
    ['up', [A, B, C, D]],
    ['up{job="api"}', [A, B]],
    ['up{job!="api"}', [C, D]],
    // Regexes are anchored at both ends: "api" does not match "api-canary".
    ['up{job=~"api"}', [A, B]],
    ['up{job=~"api.*"}', [A, B, D]],
    ['up{job!~"api"}', [C, D]],
    ['up{instance=~"a|c"}', [A, C]],
    ['up{job=~"(?i)API"}', [A, B]],
    // RE2 lets punctuation be escaped: `\-` is a literal dash.
    ['up{job=~"api\\\\-canary"}', [D]],
    ['up{job=~"api.canary|d\\\\w"}', [C, D]],
    // A label a series lacks reads as "".
    ['up{zone=""}', [A, B, C, D]],
    ['up{zone!=""}', []],
    ['{__name__="up", job="db"}', [C]],
    ['{__name__=~"up|other", instance="a"}', ['{__name__="other", instance="a", job="api"}', A]],
  ])('%s', (expr, expected) => {
    expect(rows(run(expr, UP)).map(([labels]) => labels)).toEqual(expected);
  });

  it('returns each series\' value, labels including __name__', () => {
    expect(rows(run('up{job="api"}', UP))).toEqual([[A, 1], [B, 0]]);
  });
});

describe('staleness', () => {
  const at = (...points: Array<[number, number]>) => [series({ __name__: 'm' }, ...points)];

  it.each([
    ['the latest point within the lookback wins', at([400, 1], [500, 2], [700, 9]), [['{__name__="m"}', 2]]],
    ['a point exactly 5 minutes old is outside the (left-open) window', at([300, 1]), []],
    ['a point just inside the window counts', at([301, 1]), [['{__name__="m"}', 1]]],
    ['a series whose last point is older than the lookback is absent', at([100, 1], [200, 2]), []],
    ['a point in the future of the evaluation time is ignored', at([601, 1]), []],
  ])('%s', (_, data, expected) => {
    expect(rows(run('m', data))).toEqual(expected);
  });

  it('honours a shorter lookback', () => {
    const data = at([500, 1]);
    expect(rows(run('m', data, { lookbackMs: 60_000 }))).toEqual([]);
    expect(rows(run('m', data, { lookbackMs: 120_000 }))).toEqual([['{__name__="m"}', 1]]);
  });

  it('ends a series at a stale marker, until a newer point arrives', () => {
    const data = [{ labels: { __name__: 'm' }, points: [{ t: 500_000, v: 1 }, { t: 550_000, v: STALE }] }];
    expect(rows(run('m', data))).toEqual([]);
    expect(rows(run('m', data, { at: 540_000 }))).toEqual([['{__name__="m"}', 1]]);
    data[0].points.push({ t: 580_000, v: 2 });
    expect(rows(run('m', data))).toEqual([['{__name__="m"}', 2]]);
  });

  it('keeps an ordinary NaN value, which is not a stale marker', () => {
    const [[, v]] = rows(run('m', at([590, NaN])));
    expect(v).toBeNaN();
  });
});

describe('missing series', () => {
  it.each([
    ['absent(nonexistent{job="api", env=~"p.*"})', [['{job="api"}', 1]]],
    ['absent(nonexistent)', [['{}', 1]]],
    ['absent(up{job="api"})', []],
    ['up{job="api"} and nonexistent', []],
    ['nonexistent and up', []],
    // and/or/unless match on the label set without the metric name.
    ['up and other', [[A, 1]]],
    ['up{job="db"} or up{job="api"}', [[A, 1], [B, 0], [C, 1]]],
    ['nonexistent or up{job="db"}', [[C, 1]]],
    ['sum(nonexistent) or vector(0)', [['{}', 0]]],
    ['sum(up) or vector(0)', [['{}', 3]]],
    ['other or up{job="api"}', [['{__name__="other", instance="a", job="api"}', 7], [B, 0]]],
    ['up unless up{job="api"}', [[C, 1], [D, 1]]],
    ['up unless nonexistent', [[A, 1], [B, 0], [C, 1], [D, 1]]],
    ['up unless on (job) other', [[C, 1], [D, 1]]],
    ['up and ignoring (instance) up{instance="c"}', [[C, 1]]],
  ])('%s', (expr, expected) => {
    expect(rows(run(expr, UP))).toEqual(expected);
  });
});

describe('arithmetic and comparison', () => {
  const MEM = [
    series({ __name__: 'mem', job: 'api' }, [590, 30]),
    series({ __name__: 'mem', job: 'db' }, [590, 80]),
    series({ __name__: 'limit', job: 'api' }, [590, 60]),
    series({ __name__: 'limit', job: 'db' }, [590, 0]),
    series({ __name__: 'limit', job: 'web' }, [590, 10]),
  ];

  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ^ 2', -4],
    ['10 % 4', 2],
    ['-7 % 3', -1],
    ['1 / 0', Infinity],
    ['-1 / 0', -Infinity],
    ['2 > bool 1', 1],
    ['2 < bool 1', 0],
    ['1 == bool 1 + 0', 1],
    ['time()', 600],
    ['time() - 60', 540],
  ])('%s = %d', (expr, expected) => {
    expect(scalar(run(expr, []))).toBe(expected);
  });

  it('0 / 0 is NaN, and NaN equals nothing, itself included', () => {
    expect(scalar(run('0 / 0', []))).toBeNaN();
    expect(scalar(run('NaN == bool NaN', []))).toBe(0);
    expect(scalar(run('NaN != bool NaN', []))).toBe(1);
  });

  it.each([
    // Arithmetic drops the metric name; the scalar may be on either side.
    ['mem / 10', [['{job="api"}', 3], ['{job="db"}', 8]]],
    ['100 - mem', [['{job="api"}', 70], ['{job="db"}', 20]]],
    ['mem - 100', [['{job="api"}', -70], ['{job="db"}', -20]]],
    ['2 ^ mem / 2 ^ 29', [['{job="api"}', 2], ['{job="db"}', 2 ** 51]]],
    ['mem / 0', [['{job="api"}', Infinity], ['{job="db"}', Infinity]]],
    ['-mem', [['{job="api"}', -30], ['{job="db"}', -80]]],
    // A comparison without bool filters and keeps the sample as it was, name included.
    ['mem > 50', [['{__name__="mem", job="db"}', 80]]],
    ['50 < mem', [['{__name__="mem", job="db"}', 80]]],
    ['mem >= 30', [['{__name__="mem", job="api"}', 30], ['{__name__="mem", job="db"}', 80]]],
    ['mem != 30', [['{__name__="mem", job="db"}', 80]]],
    // With bool every sample stays, as 0 or 1, without its name.
    ['mem > bool 50', [['{job="api"}', 0], ['{job="db"}', 1]]],
    ['50 >= bool mem', [['{job="api"}', 1], ['{job="db"}', 0]]],
    // Vector to vector: one-to-one on labels without __name__; unmatched series drop out.
    ['mem / limit', [['{job="api"}', 0.5], ['{job="db"}', Infinity]]],
    ['limit - mem', [['{job="api"}', 30], ['{job="db"}', -80]]],
    ['mem > limit', [['{__name__="mem", job="db"}', 80]]],
    ['mem < bool limit', [['{job="api"}', 1], ['{job="db"}', 0]]],
    ['mem / on (job) limit', [['{job="api"}', 0.5], ['{job="db"}', Infinity]]],
  ])('%s', (expr, expected) => {
    expect(rows(run(expr, MEM))).toEqual(expected);
  });

  it('yields NaN for 0/0 between vectors', () => {
    const data = [series({ __name__: 'a', job: 'x' }, [590, 0]), series({ __name__: 'b', job: 'x' }, [590, 0])];
    expect(rows(run('a / b', data))[0][1]).toBeNaN();
  });

  it('matches with ignoring() and keeps the left side\'s other labels out of the result', () => {
    const data = [
      series({ __name__: 'errors', job: 'api', code: '500' }, [590, 5]),
      series({ __name__: 'requests', job: 'api' }, [590, 50]),
    ];
    expect(rows(run('errors / ignoring (code) requests', data))).toEqual([['{job="api"}', 0.1]]);
    expect(rows(run('errors / requests', data))).toEqual([]);
    expect(rows(run('errors / on (job) requests', data))).toEqual([['{job="api"}', 0.1]]);
  });

  it('refuses many-to-many matches with a clear error', () => {
    const data = [
      series({ __name__: 'errors', job: 'api', code: '500' }, [590, 5]),
      series({ __name__: 'errors', job: 'api', code: '503' }, [590, 1]),
      series({ __name__: 'requests', job: 'api' }, [590, 50]),
    ];
    expect(() => run('requests / ignoring (code) errors', data)).toThrow(PromqlError);
    expect(() => run('requests / ignoring (code) errors', data)).toThrow(/duplicate series for the match group \{job="api"\}/);
    expect(() => run('errors / ignoring (code) requests', data)).toThrow(/many-to-one matching is not supported/);
    // The set operators accept many-to-many.
    expect(rows(run('errors and ignoring (code) requests', data))).toHaveLength(2);
  });
});

describe('label names that are also Object.prototype members', () => {
  it('treats a missing "constructor" label as empty, not as the prototype function', async () => {
    const { memorySeriesSource, parseExpr, evaluate } = await import('./index.js');
    const source = memorySeriesSource([{ labels: { __name__: 'up', job: 'a' }, points: [{ t: 1000, v: 1 }] }]);
    const v = evaluate(parseExpr('up{constructor=""}'), source, 2000);
    expect(v.type === 'vector' && v.samples.map((s) => s.labels.job)).toEqual(['a']);
  });
});
