import { describe, expect, it } from 'vitest';
import { isStale, type Matcher } from '../promql/index.js';
import { createSeriesStore } from './series-store.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const up: Matcher[] = [{ name: '__name__', op: '=', value: 'up' }];

describe('out-of-order samples', () => {
  it.each([
    // [times appended, accepted?, times kept, dropped]
    [[10, 20, 30], [true, true, true], [10, 20, 30], 0],
    [[10, 30, 20], [true, true, false], [10, 30], 1],
    [[30, 10, 20, 40], [true, false, false, true], [30, 40], 2],
    [[10, NaN, Infinity, 20], [true, false, false, true], [10, 20], 2],
  ])('%j', (ts, accepted, kept, dropped) => {
    const st = createSeriesStore();
    expect(ts.map((t) => st.append('up', { job: 'api' }, t, 1))).toEqual(accepted);
    expect(st.select(up, -Infinity, Infinity).flatMap((s) => s.points.map((p) => p.t))).toEqual(kept);
    expect(st.stats().dropped).toBe(dropped);
  });

  it('a sample at the newest time replaces its value', () => {
    const st = createSeriesStore();
    st.append('up', {}, 10, 1);
    expect(st.append('up', {}, 10, 0)).toBe(true);
    expect(st.select(up, 0, 100)[0].points).toEqual([{ t: 10, v: 0 }]);
    expect(st.stats().dropped).toBe(0);
  });

  it('is per series: another series may still be behind', () => {
    const st = createSeriesStore();
    st.appendMany([
      { name: 'up', labels: { i: 'a' }, t: 100, v: 1 },
      { name: 'up', labels: { i: 'b' }, t: 50, v: 1 },
    ]);
    expect(st.stats()).toMatchObject({ series: 2, points: 2, dropped: 0 });
  });
});

describe('maxSeries', () => {
  it('rejects new series beyond the limit, counts them, and keeps feeding existing ones', () => {
    const st = createSeriesStore({ maxSeries: 2 });
    const stored = st.appendMany([
      { name: 'up', labels: { i: 'a' }, t: 0, v: 1 },
      { name: 'up', labels: { i: 'b' }, t: 0, v: 1 },
      { name: 'up', labels: { i: 'c' }, t: 0, v: 1 },
      { name: 'other', labels: {}, t: 0, v: 1 },
      { name: 'up', labels: { i: 'a' }, t: 5_000, v: 1 },
    ]);
    expect(stored).toBe(3);
    expect(st.stats()).toMatchObject({ series: 2, points: 3, rejected: 2 });
    expect(st.labelValues('i')).toEqual(['a', 'b']);
    expect(st.metricNames()).toEqual(['up']);
  });

  it('admits new series again once compaction frees room', () => {
    const st = createSeriesStore({ maxSeries: 1 });
    st.append('up', { i: 'a' }, 0, 1);
    expect(st.append('up', { i: 'b' }, 2 * HOUR, 1)).toBe(false);
    expect(st.compact(2 * HOUR)).toBe(1);
    expect(st.append('up', { i: 'b' }, 2 * HOUR, 1)).toBe(true);
    expect(st.labelValues('i')).toEqual(['b']);
  });
});

describe('compact', () => {
  it.each([
    // [minutes since the series' last sample at compaction, removed?]
    [0, false],
    [59, false],
    [60, false],
    [61, true],
    [600, true],
  ])('a series idle %i min (retention 60 min): removed %s', (idleMin, removed) => {
    const st = createSeriesStore();
    st.append('up', { i: 'idle' }, 0, 1);
    st.append('up', { i: 'busy' }, idleMin * MIN, 1);
    expect(st.compact(idleMin * MIN)).toBe(removed ? 1 : 0);
    expect(st.labelValues('i')).toEqual(removed ? ['busy'] : ['busy', 'idle']);
    const selected = st.select([...up, { name: 'i', op: '=', value: 'idle' }], -Infinity, Infinity);
    expect(selected.length).toBe(removed ? 0 : 1);
    expect(st.stats().series).toBe(removed ? 1 : 2);
  });

  it('drops a metric name with its last series, and a new series starts afresh', () => {
    const st = createSeriesStore({ retentionMs: MIN, intervalMs: 1000 });
    st.append('gone', { i: 'a' }, 0, 1);
    st.append('up', { i: 'a' }, 5 * MIN, 1);
    expect(st.compact(5 * MIN)).toBe(1);
    expect(st.metricNames()).toEqual(['up']);
    // The same identity later is a new series: its old points went with the old one.
    st.append('gone', { i: 'a' }, 6 * MIN, 2);
    expect(st.select([{ name: '__name__', op: '=', value: 'gone' }], -Infinity, Infinity)[0].points)
      .toEqual([{ t: 6 * MIN, v: 2 }]);
  });
});

describe('markStale', () => {
  it('appends the stale marker to an existing series only', () => {
    const st = createSeriesStore();
    st.append('up', { i: 'a' }, 1000, 1);
    expect(st.markStale('up', { i: 'a' }, 2000)).toBe(true);
    expect(st.markStale('up', { i: 'never' }, 2000)).toBe(false);
    expect(st.stats().series).toBe(1);
    const [{ points }] = st.select(up, 0, 5000);
    expect(points.map((p) => [p.t, isStale(p.v)])).toEqual([[1000, false], [2000, true]]);
  });

  it('at the time of the last sample, replaces it', () => {
    const st = createSeriesStore();
    st.append('up', {}, 1000, 1);
    st.markStale('up', {}, 1000);
    const [{ points }] = st.select(up, 0, 5000);
    expect(points.length === 1 && isStale(points[0].v)).toBe(true);
  });
});

describe('metricNames and labelValues', () => {
  const st = createSeriesStore();
  st.append('up', { service: 'web', instance: 'web-1' }, 0, 1);
  st.append('up', { service: 'api', instance: 'api-1' }, 0, 1);
  st.append('tutti_restarts_total', { service: 'db', instance: 'db-1' }, 0, 1);
  st.append('tutti_restarts_total', { service: 'api', instance: 'api-1' }, 0, 1);

  it.each([
    ['service', undefined, ['api', 'db', 'web']],
    ['service', 'up', ['api', 'web']],
    ['instance', 'tutti_restarts_total', ['api-1', 'db-1']],
    ['service', 'unknown', []],
    ['zone', undefined, []],
    ['__name__', undefined, ['tutti_restarts_total', 'up']],
  ])('labelValues(%s, %s)', (label, metric, expected) => {
    expect(st.labelValues(label, metric)).toEqual(expected);
  });

  it('metricNames', () => {
    expect(st.metricNames()).toEqual(['tutti_restarts_total', 'up']);
  });
});

describe('options', () => {
  it.each([
    [{}, 3_600_000, 5_000, 50_000, 720 + 36 + 1],
    [{ retentionMs: 600_000, intervalMs: 1_000, maxSeries: 10 }, 600_000, 1_000, 10, 600 + 30 + 1],
    [{ retentionMs: 10_000, intervalMs: 3_000 }, 10_000, 3_000, 50_000, 4 + 1 + 1],
  ])('%j', (opts, retentionMs, intervalMs, maxSeries, pointsPerSeries) => {
    expect(createSeriesStore(opts).options).toEqual({ retentionMs, intervalMs, maxSeries, pointsPerSeries });
  });

  it.each([
    [{ retentionMs: 0 }, /retentionMs must be a positive/],
    [{ intervalMs: -5 }, /intervalMs must be a positive/],
    [{ intervalMs: NaN }, /intervalMs must be a positive/],
    [{ maxSeries: 0 }, /maxSeries must be a positive integer/],
    [{ maxSeries: 1.5 }, /maxSeries must be a positive integer/],
    [{ retentionMs: 1_000, intervalMs: 5_000 }, /must not exceed retentionMs/],
    [{ retentionMs: 365 * 24 * 3_600_000, intervalMs: 1_000 }, /points per series/],
  ])('rejects %j', (opts, message) => {
    expect(() => createSeriesStore(opts)).toThrow(message);
  });
});
