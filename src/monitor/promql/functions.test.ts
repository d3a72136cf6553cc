import { describe, expect, it } from 'vitest';
import { STALE } from './floats.js';
import { extrapolatedRate } from './aggregation.js';
import { rows, run, series } from './test-series.js';

// Evaluated at t = 600 s; a [5m] range covers (300 s, 600 s].
const COUNTERS = [
  // Steady, 1/s, scraped every 60 s from 310 s to 550 s.
  //   raw increase 340 − 100 = 240 over the sampled 240 s; average interval 60 s, so points
  //   within 66 s (1.1 intervals) of a boundary extrapolate all the way to it:
  //   10 s before (310 − 300) and 50 s after (600 − 550).
  //   increase = 240 × (240 + 10 + 50) / 240 = 300; rate = 300 / 300 s = 1.
  series({ __name__: 'req_total', job: 'steady' }, [310, 100], [370, 160], [430, 220], [490, 280], [550, 340]),
  // Reset at 430 s: the counter restarted from 0 and reached 20.
  //   raw 140 − 100 = 40, plus the 160 counted before the reset = 200
  //   (really 60 + 20 + 60 + 60); same spacing as above → × 300/240:
  //   increase = 250; rate = 250 / 300 = 0.8333…
  series({ __name__: 'req_total', job: 'reset' }, [310, 100], [370, 160], [430, 20], [490, 80], [550, 140]),
  // Starts inside the range at 430 s with value 10, 1/s.
  //   raw 130 − 10 = 120 over 120 s. The start is 130 s from the boundary (≥ 66 s), so
  //   extrapolation would be half an interval (30 s), but the counter was 0 at 420 s:
  //   10 / 120 × 120 s = 10 s back only. The end extrapolates 50 s.
  //   increase = 120 × (120 + 10 + 50) / 120 = 180; rate = 180 / 300 = 0.6.
  series({ __name__: 'req_total', job: 'late' }, [430, 10], [490, 70], [550, 130]),
  // One point in range (the one at exactly 300 s is outside the left-open range): no rate.
  series({ __name__: 'req_total', job: 'single' }, [300, 1000], [600, 1060]),
];

describe('rate and increase', () => {
  it('extrapolates as Prometheus does (hand-computed above)', () => {
    expect(rows(run('increase(req_total[5m])', COUNTERS))).toEqual([
      ['{job="late"}', 180],
      ['{job="reset"}', 250],
      ['{job="steady"}', 300],
    ]);
    const rates = rows(run('rate(req_total[5m])', COUNTERS));
    expect(rates.map(([l]) => l)).toEqual(['{job="late"}', '{job="reset"}', '{job="steady"}']);
    expect(rates[0][1]).toBeCloseTo(0.6, 12);
    expect(rates[1][1]).toBeCloseTo(250 / 300, 12);
    expect(rates[2][1]).toBeCloseTo(1, 12);
  });

  it('extrapolates only half an interval towards a boundary the series does not reach', () => {
    // Points 400 s…500 s every 50 s, 2/s, starting at 1000 (far from zero).
    //   raw 200 over 100 s; average interval 50 s, threshold 55 s. Start is 100 s from the
    //   boundary → 25 s; end is 100 s from it → 25 s. increase = 200 × 150 / 100 = 300.
    const data = [series({ __name__: 'c' }, [400, 1000], [450, 1100], [500, 1200])];
    expect(rows(run('increase(c[5m])', data))).toEqual([['{}', 300]]);
  });

  it('ignores stale markers inside the range', () => {
    const data = [{ labels: { __name__: 'c' }, points: [
      { t: 310_000, v: 100 }, { t: 370_000, v: 160 }, { t: 400_000, v: STALE }, { t: 430_000, v: 220 },
      { t: 490_000, v: 280 }, { t: 550_000, v: 340 },
    ] }];
    expect(rows(run('increase(c[5m])', data))).toEqual([['{}', 300]]);
    expect(rows(run('count_over_time(c[5m])', data))).toEqual([['{}', 5]]);
  });

  it('needs two points', () => {
    expect(extrapolatedRate([{ t: 1000, v: 5 }], 0, 60_000, true)).toBeUndefined();
    expect(rows(run('rate(req_total{job="single"}[5m])', COUNTERS))).toEqual([]);
    // With a 6-minute range, (240 s, 600 s], both points of "single" count: 60 over 300 s.
    // The start is 60 s from the boundary (< 330 s) and the zero point 1000/60 × 300 s back,
    // farther than that, so the start extrapolates the full 60 s; the end is on the boundary:
    // increase = 60 × (300 + 60 + 0) / 300 = 72.
    expect(rows(run('increase(req_total{job="single"}[6m])', COUNTERS))).toEqual([['{job="single"}', 72]]);
  });
});

describe('*_over_time', () => {
  // The point at 300 s is outside (300 s, 600 s]; if it were counted every result would change.
  const GAUGE = [series({ __name__: 'g', job: 'x' }, [300, 100], [360, 3], [420, 9], [480, 6], [540, 12])];

  it.each([
    ['avg_over_time(g[5m])', 7.5],
    ['max_over_time(g[5m])', 12],
    ['min_over_time(g[5m])', 3],
    ['sum_over_time(g[5m])', 30],
    ['count_over_time(g[5m])', 4],
    ['max_over_time(g[90s])', 12],
    // (480 s, 600 s]: the point at 480 s is on the open edge.
    ['count_over_time(g[2m])', 1],
    ['count_over_time(g[121s])', 2],
  ])('%s = %d', (expr, expected) => {
    expect(rows(run(expr, GAUGE))).toEqual([['{job="x"}', expected]]);
  });

  it('leaves out series with no point in the range', () => {
    expect(rows(run('avg_over_time(g[30s])', GAUGE))).toEqual([]);
  });

  it('lets any number win over NaN in max and min, as Prometheus does', () => {
    const data = [series({ __name__: 'g' }, [400, NaN], [500, 4], [550, NaN])];
    expect(rows(run('max_over_time(g[5m])', data))).toEqual([['{}', 4]]);
    expect(rows(run('min_over_time(g[5m])', data))).toEqual([['{}', 4]]);
  });
});

describe('instant vector functions', () => {
  const DATA = [
    series({ __name__: 'temp', room: 'a' }, [590, -3]),
    series({ __name__: 'temp', room: 'b' }, [590, 25]),
  ];

  it.each([
    ['abs(temp)', [['{room="a"}', 3], ['{room="b"}', 25]]],
    ['clamp_min(temp, 0)', [['{room="a"}', 0], ['{room="b"}', 25]]],
    ['clamp_max(temp, 20)', [['{room="a"}', -3], ['{room="b"}', 20]]],
    ['vector(time() / 60)', [['{}', 10]]],
    ['vector(1) + vector(2)', [['{}', 3]]],
  ])('%s', (expr, expected) => {
    expect(rows(run(expr, DATA))).toEqual(expected);
  });

  it('refuses a result with two series that differ only by the dropped metric name', () => {
    const data = [series({ __name__: 'a', job: 'x' }, [590, 1]), series({ __name__: 'b', job: 'x' }, [590, 2])];
    expect(() => run('abs({__name__=~"a|b"})', data)).toThrow('the result has two series with the same labels {job="x"}');
    expect(() => run('{__name__=~"a|b"} * 2', data)).toThrow(/same labels/);
    expect(rows(run('{__name__=~"a|b"} > 0', data))).toHaveLength(2);
  });
});
