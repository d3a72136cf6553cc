// The series store's options, compiled once (defaults applied, ring size derived, bad values
// rejected), its statistics, and the memory estimate behind `stats().bytes`.

export interface SeriesStoreOptions {
  /**
   * How long points are kept, and how long a series may go without a sample before
   * `compact` removes it.
   * @default 3600000 (1 hour)
   */
  retentionMs?: number;
  /**
   * The sampling interval the rings are sized for: ceil(retentionMs / intervalMs) points plus
   * a 5 % slack for samples that come a little early. Sampling faster than this shortens
   * what is kept rather than growing memory.
   * @default 5000 (5 seconds)
   */
  intervalMs?: number;
  /**
   * The most series held at once; samples of further series are rejected (and counted) until
   * `compact` frees room.
   * @default 50000
   */
  maxSeries?: number;
}

export interface CompiledStoreOptions {
  readonly retentionMs: number;
  readonly intervalMs: number;
  readonly maxSeries: number;
  /** The capacity of each series' ring. */
  readonly pointsPerSeries: number;
}

export interface SeriesStoreStats {
  series: number;
  /** Points held in the rings (including the few older than retention still in the slack). */
  points: number;
  /** Approximate memory: the rings' typed arrays plus an estimate per series for its keys. */
  bytes: number;
  /** Samples refused for being older than their series' newest point (or without a time). */
  dropped: number;
  /** Samples refused because they would have created a series beyond maxSeries. */
  rejected: number;
}

export const DEFAULT_RETENTION_MS = 3_600_000;
export const DEFAULT_INTERVAL_MS = 5_000;
export const DEFAULT_MAX_SERIES = 50_000;

/** A short-term store: a day at one-second sampling fits, a misconfigured year does not. */
const MAX_POINTS_PER_SERIES = 100_000;

export function compileStoreOptions(options: SeriesStoreOptions): CompiledStoreOptions {
  const retentionMs = positive('retentionMs', options.retentionMs ?? DEFAULT_RETENTION_MS);
  const intervalMs = positive('intervalMs', options.intervalMs ?? DEFAULT_INTERVAL_MS);
  const maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
  if (!Number.isInteger(maxSeries) || maxSeries < 1) {
    throw new RangeError(`series store maxSeries must be a positive integer, got ${maxSeries}`);
  }
  if (intervalMs > retentionMs) {
    throw new RangeError(`series store intervalMs (${intervalMs}) must not exceed retentionMs (${retentionMs})`);
  }
  const base = Math.ceil(retentionMs / intervalMs);
  if (base > MAX_POINTS_PER_SERIES) {
    throw new RangeError(
      `series store would keep ${base} points per series (retentionMs / intervalMs); ` +
        `the most is ${MAX_POINTS_PER_SERIES}: sample less often or keep less`,
    );
  }
  const pointsPerSeries = base + Math.ceil(base / 20) + 1;
  return Object.freeze({ retentionMs, intervalMs, maxSeries, pointsPerSeries });
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`series store ${name} must be a positive number of milliseconds, got ${value}`);
  }
  return value;
}

/**
 * The heap a series takes besides its rings: its entry and ring objects, two map entries, the
 * frozen labels object, its key string and one index posting per label. Measured on Node 20
 * (x64, --expose-gc, 2,000 series of 3 labels: about 900 bytes each); label value strings
 * shared with the caller are not counted.
 */
const SERIES_FIXED_BYTES = 650;
const PER_LABEL_BYTES = 60;

export function seriesBytes(key: string, labels: Readonly<Record<string, string>>): number {
  return SERIES_FIXED_BYTES + key.length + Object.keys(labels).length * PER_LABEL_BYTES;
}
