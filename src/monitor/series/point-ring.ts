// One series' points in a ring of timestamps and values held in Float64Arrays: memory per
// series is capped by the ring's capacity whatever the run time, and values keep their exact
// bits (a plain number[] would turn the STALE marker into an ordinary NaN).

import type { Point } from '../promql/index.js';

/** The first allocation; a ring doubles up to its capacity so short-lived series stay small. */
const INITIAL_SIZE = 16;

export class PointRing {
  private ts: Float64Array;
  private vs: Float64Array;
  /** Physical index of the oldest point. Only ever non-zero once the ring is at capacity. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    }
    const size = Math.min(capacity, INITIAL_SIZE);
    this.ts = new Float64Array(size);
    this.vs = new Float64Array(size);
  }

  get length(): number {
    return this.count;
  }

  /** Time of the newest point, or -Infinity when the ring is empty. */
  get lastT(): number {
    return this.count === 0 ? -Infinity : this.ts[this.physical(this.count - 1)];
  }

  get byteLength(): number {
    return this.ts.byteLength + this.vs.byteLength;
  }

  /**
   * Appends a point newer than the newest one, overwriting the oldest when full. A point at
   * the newest point's time replaces its value (so a stale marker can end a series at the
   * tick of its last sample); an older one is refused and `false` returned.
   */
  push(t: number, v: number): boolean {
    const last = this.lastT;
    if (t < last) return false;
    if (t === last) {
      this.vs[this.physical(this.count - 1)] = v;
      return true;
    }
    if (this.count === this.ts.length && this.count < this.capacity) this.grow();
    if (this.count < this.ts.length) {
      // Not yet wrapped: head is 0 and the free slot follows the newest point.
      this.ts[this.count] = t;
      this.vs[this.count] = v;
      this.count++;
    } else {
      this.ts[this.head] = t;
      this.vs[this.head] = v;
      this.head = (this.head + 1) % this.capacity;
    }
    return true;
  }

  /** The points with startMs <= t <= endMs and t > afterMs, oldest first. */
  range(startMs: number, endMs: number, afterMs = -Infinity): Point[] {
    const out: Point[] = [];
    for (let i = this.firstIndex(startMs, afterMs); i < this.count; i++) {
      const p = this.physical(i);
      const t = this.ts[p];
      if (t > endMs) break;
      out.push({ t, v: this.vs[p] });
    }
    return out;
  }

  private physical(i: number): number {
    const p = this.head + i;
    return p >= this.ts.length ? p - this.ts.length : p;
  }

  /** The logical index of the first point with t >= startMs and t > afterMs (times ascend). */
  private firstIndex(startMs: number, afterMs: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.ts[this.physical(mid)];
      if (t < startMs || t <= afterMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private grow(): void {
    const size = Math.min(this.capacity, this.ts.length * 2);
    const ts = new Float64Array(size);
    const vs = new Float64Array(size);
    // Growth happens only before the first wrap, so the points are in physical order.
    ts.set(this.ts);
    vs.set(this.vs);
    this.ts = ts;
    this.vs = vs;
  }
}
