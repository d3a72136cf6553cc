import { describe, expect, it } from 'vitest';
import { STALE, isStale } from '../promql/index.js';
import { PointRing } from './point-ring.js';

/** A ring of `capacity` filled with points at t = 1, 2, … n (value 10·t). */
function filled(capacity: number, n: number): PointRing {
  const ring = new PointRing(capacity);
  for (let t = 1; t <= n; t++) ring.push(t, 10 * t);
  return ring;
}

const times = (ring: PointRing, start = -Infinity, end = Infinity, after?: number) =>
  ring.range(start, end, after).map((p) => p.t);

describe('PointRing', () => {
  it.each([
    // [capacity, points pushed, times kept]
    [5, 3, [1, 2, 3]],
    [5, 5, [1, 2, 3, 4, 5]],
    [5, 6, [2, 3, 4, 5, 6]],
    [5, 12, [8, 9, 10, 11, 12]],
    [1, 4, [4]],
    // Past the first allocation (16) and its doublings, then wrapped.
    [40, 100, Array.from({ length: 40 }, (_, i) => 61 + i)],
  ])('capacity %i after %i points keeps the newest, oldest first', (capacity, n, expected) => {
    const ring = filled(capacity, n);
    expect(times(ring)).toEqual(expected);
    expect(ring.length).toBe(expected.length);
    expect(ring.range(-Infinity, Infinity).map((p) => p.v)).toEqual(expected.map((t) => 10 * t));
  });

  it.each([
    // [start, end, after, times] over a wrapped ring holding 8..12
    [8, 12, undefined, [8, 9, 10, 11, 12]],
    [9, 11, undefined, [9, 10, 11]],
    [9.5, 10.5, undefined, [10]],
    [0, 7, undefined, []],
    [13, 20, undefined, []],
    [12, 12, undefined, [12]],
    [0, 100, 10, [11, 12]],
    [11, 100, 9, [11, 12]],
  ])('range [%s, %s] after %s', (start, end, after, expected) => {
    expect(times(filled(5, 12), start, end, after)).toEqual(expected);
  });

  it('refuses a point older than the newest and replaces one at the same time', () => {
    const ring = filled(4, 3);
    expect(ring.push(2.5, 99)).toBe(false);
    expect(ring.push(3, 33)).toBe(true);
    expect(ring.range(-Infinity, Infinity)).toEqual([{ t: 1, v: 10 }, { t: 2, v: 20 }, { t: 3, v: 33 }]);
    expect(ring.lastT).toBe(3);
  });

  it('keeps the stale marker\'s bits', () => {
    const ring = filled(3, 5);
    ring.push(6, STALE);
    ring.push(7, NaN);
    const [, stale, nan] = ring.range(-Infinity, Infinity);
    expect(isStale(stale.v)).toBe(true);
    expect(Number.isNaN(nan.v) && !isStale(nan.v)).toBe(true);
  });

  it('grows its arrays only up to its capacity', () => {
    const ring = new PointRing(100);
    expect(ring.byteLength).toBe(2 * 16 * 8);
    for (let t = 0; t < 1000; t++) ring.push(t, t);
    expect(ring.byteLength).toBe(2 * 100 * 8);
    expect(ring.lastT).toBe(999);
    expect(new PointRing(3).lastT).toBe(-Infinity);
  });

  it.each([0, -1, 2.5, NaN])('rejects capacity %s', (capacity) => {
    expect(() => new PointRing(capacity)).toThrow(RangeError);
  });
});
