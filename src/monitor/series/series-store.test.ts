import { describe, expect, it } from 'vitest';
import { memorySeriesSource, type Matcher, type Series } from '../promql/index.js';
import { createSeriesStore, seriesKey, type SeriesStore } from './series-store.js';

const S = 1000;
const m = (name: string, op: Matcher['op'], value: string): Matcher => ({ name, op, value });
const times = (series: Series[]) => series.flatMap((s) => s.points.map((p) => p.t / S));

describe('ring wrap-around and retention', () => {
  // One minute kept at a 10 s interval: rings of 6 points + 5 % slack + 1 = 8.
  const store = (): SeriesStore => createSeriesStore({ retentionMs: 60 * S, intervalMs: 10 * S });

  it.each([
    // [sample spacing (s), samples, times selected (s)]
    [10, 3, [0, 10, 20]],
    // More points than the ring holds: only the last minute remains, in order.
    [10, 20, [140, 150, 160, 170, 180, 190]],
    // Samples a little early fit in the slack: still a full minute.
    [9, 20, [117, 126, 135, 144, 153, 162, 171]],
    // Twice as fast as configured: memory stays put, the ring keeps its last 8 points.
    [5, 40, [160, 165, 170, 175, 180, 185, 190, 195]],
  ])('every %i s, %i samples', (spacing, n, expected) => {
    const st = store();
    for (let i = 0; i < n; i++) st.append('up', { job: 'api' }, i * spacing * S, i);
    expect(st.options.pointsPerSeries).toBe(8);
    expect(times(st.select([m('__name__', '=', 'up')], -Infinity, Infinity))).toEqual(expected);
    expect(st.stats().points).toBe(Math.min(n, 8));
  });

  it.each([
    // [start s, end s, times] over points at 0, 10, … 50 s
    [0, 50, [0, 10, 20, 30, 40, 50]],
    [10, 30, [10, 20, 30]],
    [11, 29, [20]],
    [50, 50, [50]],
    [51, 100, []],
    [-100, -1, []],
  ])('selects [%i s, %i s] inclusively', (start, end, expected) => {
    const st = store();
    for (let i = 0; i <= 5; i++) st.append('up', {}, i * 10 * S, 1);
    expect(times(st.select([m('__name__', '=', 'up')], start * S, end * S))).toEqual(expected);
  });
});

// The evaluator's own matcher table: the store must select exactly what the reference
// in-memory source does (anchored regexes, a missing label reads as "").
const UP: Series[] = [
  { labels: { __name__: 'up', job: 'api', instance: 'a' }, points: [{ t: 590 * S, v: 1 }] },
  { labels: { __name__: 'up', job: 'api', instance: 'b' }, points: [{ t: 590 * S, v: 0 }] },
  { labels: { __name__: 'up', job: 'db', instance: 'c' }, points: [{ t: 590 * S, v: 1 }] },
  { labels: { __name__: 'up', job: 'api-canary', instance: 'd', zone: 'eu' }, points: [{ t: 590 * S, v: 1 }] },
  { labels: { __name__: 'other', job: 'api', instance: 'a' }, points: [{ t: 590 * S, v: 7 }] },
];

function upStore(): SeriesStore {
  const st = createSeriesStore();
  for (const s of UP) {
    const { __name__: name, ...labels } = s.labels;
    for (const p of s.points) st.append(name, labels, p.t, p.v);
  }
  return st;
}

const ids = (series: Series[]) =>
  series.map((s) => `${s.labels.__name__}/${s.labels.instance}`).sort();
const byKey = (series: Series[]) =>
  Object.fromEntries(series.map((s) => [seriesKey(s.labels.__name__, s.labels), { labels: s.labels, points: s.points }]));

describe('select (the PromQL SeriesSource)', () => {
  it.each([
    [[m('__name__', '=', 'up')], ['up/a', 'up/b', 'up/c', 'up/d']],
    [[m('__name__', '=', 'up'), m('job', '=', 'api')], ['up/a', 'up/b']],
    [[m('__name__', '=', 'up'), m('job', '!=', 'api')], ['up/c', 'up/d']],
    [[m('__name__', '=', 'up'), m('job', '=~', 'api')], ['up/a', 'up/b']],
    [[m('__name__', '=', 'up'), m('job', '=~', 'api.*')], ['up/a', 'up/b', 'up/d']],
    [[m('__name__', '=', 'up'), m('job', '!~', 'api')], ['up/c', 'up/d']],
    [[m('job', '=~', '(?i)API')], ['other/a', 'up/a', 'up/b']],
    [[m('__name__', '=', 'up'), m('zone', '=', '')], ['up/a', 'up/b', 'up/c']],
    [[m('__name__', '=', 'up'), m('zone', '!=', '')], ['up/d']],
    [[m('__name__', '=~', 'up|other'), m('instance', '=', 'a')], ['other/a', 'up/a']],
    [[m('__name__', '!~', 'up')], ['other/a']],
    [[m('job', '=', 'web')], []],
    [[], ['other/a', 'up/a', 'up/b', 'up/c', 'up/d']],
  ])('%j', (matchers, expected) => {
    const got = upStore().select(matchers, 0, 600 * S);
    expect(ids(got)).toEqual(expected);
    // Same series, same labels (__name__ included), same points as the reference source.
    const reference = memorySeriesSource(UP).select(matchers, 0, 600 * S);
    expect(byKey(got)).toEqual(byKey(reference));
  });

  it('reads only own labels: `constructor` is a missing label, not Object.prototype\'s', () => {
    const got = upStore().select([m('__name__', '=', 'other'), m('constructor', '=', '')], 0, 600 * S);
    expect(ids(got)).toEqual(['other/a']);
  });

  it('leaves out series without a point in the range', () => {
    expect(upStore().select([m('__name__', '=', 'up')], 591 * S, 700 * S)).toEqual([]);
  });
});

describe('series identity', () => {
  it.each([
    ['label order does not matter', { a: '1', b: '2' }, { b: '2', a: '1' }, true],
    ['an empty label is a missing one', { a: '1', b: '' }, { a: '1' }, true],
    ['a __name__ label gives way to the name', { __name__: 'x', a: '1' }, { a: '1' }, true],
    ['values differ', { a: '1' }, { a: '2' }, false],
    ['no separator ambiguity', { a: 'b","c' }, { a: 'b', c: '' }, false],
  ])('%s', (_, l1, l2, same) => {
    const st = createSeriesStore();
    st.append('m', l1, 1, 1);
    st.append('m', l2, 2, 2);
    expect(st.stats().series).toBe(same ? 1 : 2);
    expect(seriesKey('m', l1) === seriesKey('m', l2)).toBe(same);
  });

  it('stores __name__ and the non-empty labels', () => {
    const st = createSeriesStore();
    st.append('m', { b: '2', a: '1', c: '' }, 1, 1);
    expect(st.select([], 0, 10)[0].labels).toEqual({ __name__: 'm', a: '1', b: '2' });
  });
});
