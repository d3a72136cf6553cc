// Counts what the stable endpoints report (one RequestOutcome per proxied request) in plain
// Maps and typed arrays: cheap enough for every request, and there from the first request on,
// long before prom-client is loaded for a first `/metrics` scrape. `/metrics` and the series
// store read the counts through `entries()`.

import { codeClass, DURATION_BUCKETS, isErrorStatus } from './catalog.js';

/** What the recorder reads of a stable endpoint's RequestOutcome (src/proxy/types.ts): the
 *  same fields, restated so the monitor layer does not depend on the proxy layer. */
export interface ObservedRequest {
  service: string;
  instance: string;
  /** the response's status code; 0 when no response came */
  status: number;
  durationSeconds: number;
}

/** Everything counted for one instance behind one stable endpoint. */
export interface EndpointCounts {
  readonly service: string;
  readonly instance: string;
  /** requests by `code` label (2xx … 5xx, error) */
  readonly codes: Map<string, number>;
  errors: number;
  /** per bucket of DURATION_BUCKETS, not cumulative; the last slot counts those above 10 s */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
  /** when its last request ended, ms since epoch */
  lastAt: number;
}

export interface RecorderOptions {
  /** @default 20000: beyond it, outcomes of further instances are counted in `refused` only */
  maxEntries?: number;
  now?: () => number;
}

export class RequestRecorder {
  readonly #entries = new Map<string, EndpointCounts>();
  readonly #max: number;
  readonly #now: () => number;
  /** outcomes not counted because maxEntries instances are already tracked */
  refused = 0;

  constructor(opts: RecorderOptions = {}) {
    this.#max = opts.maxEntries ?? 20_000;
    this.#now = opts.now ?? Date.now;
  }

  record(o: ObservedRequest): void {
    const key = `${o.service}\u0000${o.instance}`;
    let e = this.#entries.get(key);
    if (!e) {
      if (this.#entries.size >= this.#max) {
        this.refused++;
        return;
      }
      e = { service: o.service, instance: o.instance, codes: new Map(), errors: 0, buckets: new Float64Array(DURATION_BUCKETS.length + 1), sum: 0, count: 0, lastAt: 0 };
      this.#entries.set(key, e);
    }
    const code = codeClass(o.status);
    e.codes.set(code, (e.codes.get(code) ?? 0) + 1);
    if (isErrorStatus(o.status)) e.errors++;
    const d = Number.isFinite(o.durationSeconds) && o.durationSeconds > 0 ? o.durationSeconds : 0;
    e.buckets[bucketIndex(d)]++;
    e.sum += d;
    e.count++;
    e.lastAt = this.#now();
  }

  entries(): IterableIterator<EndpointCounts> {
    return this.#entries.values();
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Forgets instances that are gone: not `live` and without a request since `idleBeforeMs`.
   * Keeps memory bounded over days of restarts and scaling; returns how many were dropped.
   */
  prune(live: (service: string, instance: string) => boolean, idleBeforeMs: number): number {
    let dropped = 0;
    for (const [key, e] of this.#entries) {
      if (e.lastAt >= idleBeforeMs || live(e.service, e.instance)) continue;
      this.#entries.delete(key);
      dropped++;
    }
    return dropped;
  }
}

/** The slot of a duration: the first bucket whose upper bound holds it (le is inclusive). */
export function bucketIndex(seconds: number): number {
  let lo = 0;
  let hi = DURATION_BUCKETS.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seconds <= DURATION_BUCKETS[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const LE = [...DURATION_BUCKETS.map(String), '+Inf'];

/** The cumulative counts per `le` (the bounds, then +Inf), as Prometheus exposes them. */
export function cumulativeBuckets(e: Pick<EndpointCounts, 'buckets'>): Array<{ le: string; count: number }> {
  const out: Array<{ le: string; count: number }> = [];
  let acc = 0;
  for (let i = 0; i < e.buckets.length; i++) {
    acc += e.buckets[i];
    out.push({ le: LE[i], count: acc });
  }
  return out;
}
