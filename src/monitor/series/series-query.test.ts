import { describe, expect, it } from 'vitest';
import { STALE, type Point } from '../promql/index.js';
import { lastPerStep } from './series-query.js';
import { createSeriesStore, type SeriesStore } from './series-store.js';

const S = 1000;
/** Points at the given seconds, each valued its own second. */
const at = (...seconds: number[]): Point[] => seconds.map((s) => ({ t: s * S, v: s }));
const seconds = (points: Point[]) => points.map((p): [number, number] => [p.t / S, p.v]);

describe('lastPerStep', () => {
  const irregular = at(1, 7, 13, 19, 26, 33, 47);

  it.each([
    // [start s, end s, step s, [grid time s, value]] — each grid time takes the last point
    // in the step ending there, (t − step, t].
    [0, 45, 10, [[10, 7], [20, 19], [30, 26], [40, 33]]],
    [0, 50, 10, [[10, 7], [20, 19], [30, 26], [40, 33], [50, 47]]],
    // The first grid time looks back one step, before the range's start.
    [10, 30, 10, [[10, 7], [20, 19], [30, 26]]],
    [5, 30, 5, [[5, 1], [10, 7], [15, 13], [20, 19], [30, 26]]],
    // A point exactly on a grid time belongs to that step, not the next.
    [13, 13, 100, [[13, 13]]],
    [0, 100, 100, [[100, 47]]],
    [0, 99, 100, []],
    [100, 200, 10, []],
  ])('[%i s, %i s] step %i s', (start, end, step, expected) => {
    expect(seconds(lastPerStep(irregular, start * S, end * S, step * S))).toEqual(expected);
  });

  it('leaves a gap where a step ends in a stale marker', () => {
    const points: Point[] = [...at(1, 5), { t: 8 * S, v: STALE }, ...at(12)];
    expect(seconds(lastPerStep(points, 0, 20 * S, 5 * S))).toEqual([[5, 5], [15, 12]]);
  });
});

describe('SeriesStore.query', () => {
  function store(): SeriesStore {
    const st = createSeriesStore();
    for (let s = 0; s <= 60; s += 5) {
      st.append('tutti_cpu_seconds_total', { service: 'api', instance: 'api-1' }, s * S, s);
      st.append('tutti_cpu_seconds_total', { service: 'api', instance: 'api-2' }, s * S, 2 * s);
      st.append('tutti_cpu_seconds_total', { service: 'db' }, s * S, 3 * s);
      st.append('up', { service: 'api', instance: 'api-1' }, s * S, 1);
    }
    st.markStale('tutti_cpu_seconds_total', { service: 'api', instance: 'api-2' }, 62 * S);
    return st;
  }
  const series = (labels?: Record<string, string>, stepMs?: number, startMs = 0, endMs = 70 * S) =>
    store()
      .query({ metric: 'tutti_cpu_seconds_total', labels, startMs, endMs, stepMs })
      .map((s) => [s.labels.instance ?? '-', seconds(s.points)]);

  it.each([
    ['by metric', undefined, ['-', 'api-1', 'api-2']],
    ['by label', { service: 'api' }, ['api-1', 'api-2']],
    ['by two labels', { service: 'api', instance: 'api-2' }, ['api-2']],
    ['an empty value selects series without the label', { instance: '' }, ['-']],
    ['an unknown value', { service: 'web' }, []],
  ])('%s', (_, labels, expected) => {
    expect(series(labels).map(([instance]) => instance).sort()).toEqual(expected);
  });

  it('returns the raw points in the range, stale markers left out', () => {
    expect(series({ instance: 'api-2' }, undefined, 50 * S)).toEqual([
      ['api-2', [[50, 100], [55, 110], [60, 120]]],
    ]);
  });

  it('downsamples to the last value per step on a shared grid', () => {
    expect(series({ service: 'api' }, 20 * S, 0, 60 * S)).toEqual([
      ['api-1', [[0, 0], [20, 20], [40, 40], [60, 60]]],
      ['api-2', [[0, 0], [20, 40], [40, 80], [60, 120]]],
    ]);
    // A step ending in the stale marker is a gap.
    expect(series({ instance: 'api-2' }, 10 * S, 50 * S, 70 * S)).toEqual([['api-2', [[50, 100], [60, 120]]]]);
  });

  it('leaves out series without a point in the range', () => {
    expect(series(undefined, undefined, 61 * S, 70 * S)).toEqual([]);
  });

  it.each([
    [{ metric: '', startMs: 0, endMs: 1 }, /needs a metric/],
    [{ metric: 'up', startMs: NaN, endMs: 1 }, /finite range/],
    [{ metric: 'up', startMs: 0, endMs: Infinity }, /finite range/],
    [{ metric: 'up', startMs: 10, endMs: 1 }, /before its start/],
    [{ metric: 'up', startMs: 0, endMs: 1, stepMs: 0 }, /step must be a positive/],
    [{ metric: 'up', startMs: 0, endMs: 1, stepMs: -5 }, /step must be a positive/],
  ])('rejects %j', (q, message) => {
    expect(() => createSeriesStore().query(q)).toThrow(message);
  });
});
