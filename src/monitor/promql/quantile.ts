// histogram_quantile over classic histograms: series that differ only in their `le` label are
// the cumulative buckets of one histogram. The interpolation is Prometheus' BucketQuantile
// (promql/quantile.go), including its repairs of inconsistent bucket counts.

import type { Sample } from './ast.js';
import { parseGoFloat } from './floats.js';
import { type Labels, labelsKey, omit, METRIC_NAME } from './labels.js';

export interface Bucket {
  upperBound: number;
  count: number;
}

const BUCKET_LABEL = 'le';
const EXCLUDED = new Set([BUCKET_LABEL, METRIC_NAME]);
// Relative differences below this are floating-point noise, not a real non-monotonic bucket.
const SMALL_DELTA_TOLERANCE = 1e-12;
const MIN_NORMAL = 2.2250738585072014e-308;

/** One sample per histogram, labelled like its buckets without `le` and `__name__`. */
export function histogramQuantile(q: number, samples: readonly Sample[]): Sample[] {
  const histograms = new Map<string, { labels: Labels; buckets: Bucket[] }>();
  for (const s of samples) {
    // Series without a parseable `le` are not buckets; Prometheus skips them too.
    const upperBound = parseGoFloat(s.labels[BUCKET_LABEL] ?? '');
    if (upperBound === undefined) continue;
    const labels = omit(s.labels, EXCLUDED);
    const key = labelsKey(labels);
    let h = histograms.get(key);
    if (!h) histograms.set(key, (h = { labels, buckets: [] }));
    h.buckets.push({ upperBound, count: s.value });
  }
  return [...histograms.values()].map((h) => ({ labels: h.labels, value: bucketQuantile(q, h.buckets) }));
}

/**
 * The φ-quantile of cumulative buckets, interpolating linearly inside the bucket it falls in.
 * The lowest bucket starts at 0 (unless its bound is ≤ 0); a quantile in the +Inf bucket is
 * the highest finite bound. NaN without a +Inf bucket, with fewer than two buckets or no
 * observations; -Inf for φ < 0 and +Inf for φ > 1.
 */
export function bucketQuantile(q: number, input: readonly Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (input.length === 0) return NaN;
  const sorted = input
    .map((b) => ({ ...b }))
    .sort((a, b) => (a.upperBound < b.upperBound ? -1 : a.upperBound > b.upperBound ? 1 : 0));
  if (sorted[sorted.length - 1].upperBound !== Infinity) return NaN;
  const buckets = coalesce(sorted);
  ensureMonotonic(buckets);
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1].count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = buckets.findIndex((bucket, i) => i < buckets.length - 1 && bucket.count >= rank);
  if (b < 0) b = buckets.length - 1;
  if (b === buckets.length - 1) return buckets[buckets.length - 2].upperBound;
  if (b === 0 && buckets[0].upperBound <= 0) return buckets[0].upperBound;
  let bucketStart = 0;
  const bucketEnd = buckets[b].upperBound;
  let count = buckets[b].count;
  if (b > 0) {
    bucketStart = buckets[b - 1].upperBound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

/** Buckets with the same bound (e.g. `le="1"` and `le="1.0"`) add up. Input sorted. */
function coalesce(buckets: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  for (const b of buckets) {
    const last = out[out.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else out.push(b);
  }
  return out;
}

/**
 * Counts must not fall as bounds rise; where they do (scrapes of different buckets at
 * different moments), the previous count carries forward, as Prometheus'
 * ensureMonotonicAndIgnoreSmallDeltas does. `prev` only advances on accepted counts.
 */
function ensureMonotonic(buckets: Bucket[]): void {
  let prev = buckets[0].count;
  for (let i = 1; i < buckets.length; i++) {
    const curr = buckets[i].count;
    if (curr === prev) continue;
    if (almostEqual(prev, curr, SMALL_DELTA_TOLERANCE) || curr < prev) {
      buckets[i].count = prev;
      continue;
    }
    prev = curr;
  }
}

function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}
