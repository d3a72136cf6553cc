// Queries for charts and the `/api/v1/series` API: one metric, equality label filters, a time
// range and an optional step. With a step, points are thinned to Prometheus' range-query grid
// so that every series of a chart shares the same timestamps.

import { isStale, type Matcher, type Point } from '../promql/index.js';

export interface SeriesQuery {
  metric: string;
  /** Label filters, all equality; an empty value selects series without the label. */
  labels?: Record<string, string>;
  startMs: number;
  endMs: number;
  /**
   * Downsample to one point per step: at startMs + k·stepMs (up to endMs) the value of the
   * last point in the step ending there, (t − stepMs, t]. Omitted: every stored point.
   */
  stepMs?: number;
}

export interface SeriesQueryResult {
  /** The series' labels, `__name__` included. */
  labels: Readonly<Record<string, string>>;
  /** Oldest first; stale markers are left out (they end a series: a chart shows a gap). */
  points: Point[];
}

export function checkQuery(q: SeriesQuery): void {
  if (typeof q.metric !== 'string' || q.metric === '') {
    throw new RangeError('a series query needs a metric name');
  }
  if (!Number.isFinite(q.startMs) || !Number.isFinite(q.endMs)) {
    throw new RangeError(`a series query needs a finite range, got [${q.startMs}, ${q.endMs}]`);
  }
  if (q.endMs < q.startMs) {
    throw new RangeError(`a series query's end (${q.endMs}) is before its start (${q.startMs})`);
  }
  if (q.stepMs !== undefined && !(Number.isFinite(q.stepMs) && q.stepMs > 0)) {
    throw new RangeError(`a series query's step must be a positive number of milliseconds, got ${q.stepMs}`);
  }
}

/** The query's metric and label filters as PromQL matchers. */
export function queryMatchers(q: SeriesQuery): Matcher[] {
  const matchers: Matcher[] = [{ name: '__name__', op: '=', value: q.metric }];
  for (const [name, value] of Object.entries(q.labels ?? {})) {
    if (name !== '__name__') matchers.push({ name, op: '=', value });
  }
  return matchers;
}

/** The earliest time a query must read: a step also looks back one step before its start. */
export function queryReadStart(q: SeriesQuery): number {
  return q.stepMs === undefined ? q.startMs : q.startMs - q.stepMs;
}

/** Points (oldest first) as the query returns them: raw or downsampled, without stale markers. */
export function shapePoints(points: readonly Point[], q: SeriesQuery): Point[] {
  if (q.stepMs === undefined) return points.filter((p) => !isStale(p.v));
  return lastPerStep(points, q.startMs, q.endMs, q.stepMs);
}

/**
 * One point per grid time startMs + k·stepMs ≤ endMs: the last point in (t − stepMs, t]. A
 * step with no point, or whose last point is a stale marker, is left out.
 */
export function lastPerStep(points: readonly Point[], startMs: number, endMs: number, stepMs: number): Point[] {
  const lastStep = Math.floor((endMs - startMs) / stepMs);
  const out: Point[] = [];
  let step = -1;
  let value = 0;
  const flush = (): void => {
    if (step >= 0 && !isStale(value)) out.push({ t: startMs + step * stepMs, v: value });
  };
  for (const p of points) {
    const k = Math.ceil((p.t - startMs) / stepMs);
    if (k < 0) continue;
    if (k > lastStep) break;
    if (k !== step) {
      flush();
      step = k;
    }
    value = p.v;
  }
  flush();
  return out;
}
