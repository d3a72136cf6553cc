// The short-term series store: the built-in metrics sampled every few seconds and kept for an
// hour (both configurable), read by the CLI, the dashboard, `/api/v1/series` and alert
// evaluation (it is a PromQL SeriesSource). Memory is bounded whatever the run time: each
// series is a fixed-capacity ring, idle series are compacted away, and the number of series
// is capped.

import { STALE, matcherMatches, type Matcher, type Series, type SeriesSource } from '../promql/index.js';
import { LabelIndex } from './label-index.js';
import { PointRing } from './point-ring.js';
import { checkQuery, queryMatchers, queryReadStart, shapePoints, type SeriesQuery, type SeriesQueryResult } from './series-query.js';
import { compileStoreOptions, seriesBytes, type CompiledStoreOptions, type SeriesStoreOptions, type SeriesStoreStats } from './store-options.js';

export interface SeriesSample {
  name: string;
  labels: Record<string, string>;
  /** Milliseconds since the epoch. */
  t: number;
  v: number;
}

interface StoredSeries {
  readonly id: number;
  readonly key: string;
  /** `__name__` and the non-empty labels, frozen: select hands it out without copying. */
  readonly labels: Readonly<Record<string, string>>;
  readonly ring: PointRing;
}

export class SeriesStore implements SeriesSource {
  readonly options: CompiledStoreOptions;
  private readonly byKey = new Map<string, StoredSeries>();
  private readonly byId = new Map<number, StoredSeries>();
  private readonly index = new LabelIndex();
  private nextId = 1;
  private dropped = 0;
  private rejected = 0;

  constructor(options: SeriesStoreOptions = {}) {
    this.options = compileStoreOptions(options);
  }

  /**
   * Stores a sample. Returns false when it is dropped: older than the series' newest point
   * (or without a finite time), or a new series beyond maxSeries. A sample at the newest
   * point's time replaces that point's value.
   */
  append(name: string, labels: Record<string, string>, t: number, v: number): boolean {
    if (!Number.isFinite(t)) {
      this.dropped++;
      return false;
    }
    const key = seriesKey(name, labels);
    const series = this.byKey.get(key) ?? this.create(key, name, labels);
    if (!series) {
      this.rejected++;
      return false;
    }
    if (series.ring.push(t, v)) return true;
    this.dropped++;
    return false;
  }

  /** Appends each sample in turn; returns how many were stored. */
  appendMany(samples: Iterable<SeriesSample>): number {
    let stored = 0;
    for (const s of samples) if (this.append(s.name, s.labels, s.t, s.v)) stored++;
    return stored;
  }

  /**
   * Ends a series with Prometheus' stale marker, as when its instance disappears: from `t` on,
   * an instant selector no longer sees it. Returns false if there is no such series.
   */
  markStale(name: string, labels: Record<string, string>, t: number): boolean {
    if (!this.byKey.has(seriesKey(name, labels))) return false;
    return this.append(name, labels, t, STALE);
  }

  /** Removes the series with no point in the retention period before `nowMs`; returns how many. */
  compact(nowMs: number): number {
    const idleBefore = nowMs - this.options.retentionMs;
    let removed = 0;
    for (const s of this.byId.values()) {
      if (s.ring.lastT >= idleBefore) continue;
      this.byId.delete(s.id);
      this.byKey.delete(s.key);
      this.index.remove(s.id, s.labels);
      removed++;
    }
    return removed;
  }

  /**
   * PromQL's SeriesSource: the series matching every matcher (a missing label reads as "",
   * regexes are anchored) with their points in [startMs, endMs], oldest first; series without
   * a point there are left out. Stale markers are returned as stored.
   */
  select(matchers: Matcher[], startMs: number, endMs: number): Series[] {
    const out: Series[] = [];
    const candidates = this.index.candidates(matchers);
    const visit = (s: StoredSeries | undefined): void => {
      if (!s || !matchers.every((m) => matches(m, s.labels))) return;
      // Points older than retention before the series' newest point linger in the ring's
      // slack; they are not part of what the store keeps.
      const points = s.ring.range(startMs, endMs, s.ring.lastT - this.options.retentionMs);
      if (points.length > 0) out.push({ labels: s.labels, points });
    };
    if (candidates) for (const id of candidates) visit(this.byId.get(id));
    else for (const s of this.byId.values()) visit(s);
    return out;
  }

  /** One metric's series, filtered by labels, over a range, optionally downsampled. */
  query(q: SeriesQuery): SeriesQueryResult[] {
    checkQuery(q);
    const out: SeriesQueryResult[] = [];
    for (const s of this.select(queryMatchers(q), queryReadStart(q), q.endMs)) {
      const points = shapePoints(s.points, q);
      if (points.length > 0) out.push({ labels: s.labels, points });
    }
    return out;
  }

  /** The metric names with at least one series, sorted. */
  metricNames(): string[] {
    return [...this.index.values('__name__')].sort();
  }

  /** The values a label takes, sorted; with `metric`, only across that metric's series. */
  labelValues(label: string, metric?: string): string[] {
    const values = [...this.index.values(label)];
    if (metric === undefined) return values.sort();
    const ofMetric = this.index.ids('__name__', metric);
    return values.filter((v) => [...this.index.ids(label, v)].some((id) => ofMetric.has(id))).sort();
  }

  stats(): SeriesStoreStats {
    let points = 0;
    let bytes = 0;
    for (const s of this.byId.values()) {
      points += s.ring.length;
      bytes += s.ring.byteLength + seriesBytes(s.key, s.labels);
    }
    return { series: this.byId.size, points, bytes, dropped: this.dropped, rejected: this.rejected };
  }

  private create(key: string, name: string, labels: Record<string, string>): StoredSeries | undefined {
    if (this.byId.size >= this.options.maxSeries) return undefined;
    const stored: Record<string, string> = { __name__: name };
    for (const k of Object.keys(labels).sort()) {
      if (k !== '__name__' && labels[k] !== '') stored[k] = labels[k];
    }
    const series: StoredSeries = {
      id: this.nextId++,
      key,
      labels: Object.freeze(stored),
      ring: new PointRing(this.options.pointsPerSeries),
    };
    this.byKey.set(key, series);
    this.byId.set(series.id, series);
    this.index.add(series.id, series.labels);
    return series;
  }
}

export function createSeriesStore(options: SeriesStoreOptions = {}): SeriesStore {
  return new SeriesStore(options);
}

/**
 * A series' identity: its name and non-empty labels in name order. An empty label is the same
 * as a missing one (as in Prometheus); a `__name__` label gives way to `name`.
 */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const parts = [name];
  for (const k of Object.keys(labels).sort()) {
    if (k !== '__name__' && labels[k] !== '') parts.push(k, labels[k]);
  }
  return JSON.stringify(parts);
}

function matches(m: Matcher, labels: Readonly<Record<string, string>>): boolean {
  // Own properties only: a matcher on `constructor` must not find Object.prototype's.
  return matcherMatches(m, Object.hasOwn(labels, m.name) ? labels[m.name] : undefined);
}
