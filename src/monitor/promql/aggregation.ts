// Reductions of many values to one: aggregation across series at one instant (sum, avg, max,
// min, count by/without labels) and over the points of one series in a range (rate and
// increase with Prometheus' extrapolation from promql/functions.go, and the *_over_time
// functions). Range functions take the points inside (rangeStart, rangeEnd], stale markers
// already removed, and return undefined when the series contributes nothing.

import type { AggregateOp, FunctionName, Point, Sample } from './ast.js';
import { kahanSum, mean } from './floats.js';
import { type Labels, labelsKey, omit, pick, METRIC_NAME } from './labels.js';

/**
 * Groups samples `by` the listed labels (the result keeps only those) or `without` them (the
 * result keeps every other label but the metric name); groups come in order of first sample.
 */
export function aggregate(op: AggregateOp, samples: readonly Sample[], grouping: readonly string[], without: boolean): Sample[] {
  const dropped = new Set([...grouping, METRIC_NAME]);
  const groups = new Map<string, { labels: Labels; values: number[] }>();
  for (const s of samples) {
    const labels = without ? omit(s.labels, dropped) : pick(s.labels, grouping);
    const key = labelsKey(labels);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { labels, values: [] }));
    group.values.push(s.value);
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: combine(op, g.values) }));
}

function combine(op: AggregateOp, values: number[]): number {
  switch (op) {
    case 'sum': return kahanSum(values);
    case 'avg': return mean(values);
    case 'count': return values.length;
    // As Prometheus: a NaN is replaced by any later value, so NaN only wins when all are NaN.
    case 'max': return values.reduce((m, v) => (m < v || Number.isNaN(m) ? v : m));
    case 'min': return values.reduce((m, v) => (m > v || Number.isNaN(m) ? v : m));
  }
}

/**
 * The increase of a counter over [rangeStart, rangeEnd], or its per-second rate. Resets (a
 * drop in value) are read as the counter restarting from zero. The increase seen between the
 * first and last point is extrapolated towards the range boundaries: all the way when a point
 * lies within 1.1 average intervals of the boundary, otherwise by half an interval (the series
 * probably began or ended inside the range), and never past the moment the counter was zero.
 */
export function extrapolatedRate(
  points: readonly Point[], rangeStartMs: number, rangeEndMs: number, isRate: boolean,
): number | undefined {
  if (points.length < 2) return undefined;
  const first = points[0];
  const last = points[points.length - 1];
  let increase = last.v - first.v;
  for (let i = 1; i < points.length; i++) {
    if (points[i].v < points[i - 1].v) increase += points[i - 1].v;
  }
  let durationToStart = (first.t - rangeStartMs) / 1000;
  let durationToEnd = (rangeEndMs - last.t) / 1000;
  const sampledInterval = (last.t - first.t) / 1000;
  const averageInterval = sampledInterval / (points.length - 1);
  const threshold = averageInterval * 1.1;
  if (durationToStart >= threshold) durationToStart = averageInterval / 2;
  // A counter cannot go below zero: extrapolating backwards stops where it would reach it.
  if (increase > 0 && first.v >= 0) {
    const durationToZero = sampledInterval * (first.v / increase);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= threshold) durationToEnd = averageInterval / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= (rangeEndMs - rangeStartMs) / 1000;
  return increase * factor;
}

export type OverTimeFunction = Extract<FunctionName, `${string}_over_time`>;

export function overTime(func: OverTimeFunction, points: readonly Point[]): number | undefined {
  if (points.length === 0) return undefined;
  const values = points.map((p) => p.v);
  switch (func) {
    case 'avg_over_time': return mean(values);
    case 'sum_over_time': return kahanSum(values);
    case 'count_over_time': return values.length;
    // A NaN is replaced by the next value, so NaN wins only when every point is NaN.
    case 'max_over_time': return values.reduce((m, v) => (v > m || Number.isNaN(m) ? v : m));
    case 'min_over_time': return values.reduce((m, v) => (v < m || Number.isNaN(m) ? v : m));
  }
}
