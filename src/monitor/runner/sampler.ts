// The built-in series of a status (pure, for table tests and for a monitor given no other
// source), and the presence tracking that marks stale what a previous round had and this one
// lacks. The full set of families (stats, scores, request counters) is in ../metrics.

import { collectFamilies, storedSamples, type MeasuredStatus } from '../metrics/index.js';
import { seriesKey, type SeriesSample } from '../series/index.js';

/** The part of the orchestrator's status the sampler reads. */
export type SampledStatus = MeasuredStatus;

/** The built-in samples of one status alone (no process stats, scores or counters) at time `t`. */
export function statusSamples(status: SampledStatus, t: number): SeriesSample[] {
  return storedSamples(collectFamilies({ status }), t);
}

/**
 * Remembers which series the last round produced; `next` returns the ones that were there
 * before and are gone now (an instance or service removed), to be marked stale.
 */
export class SeriesPresence {
  #last = new Map<string, SeriesSample>();

  next(samples: readonly SeriesSample[]): SeriesSample[] {
    const now = new Map(samples.map((s) => [seriesKey(s.name, s.labels), s]));
    const gone = [...this.#last].filter(([key]) => !now.has(key)).map(([, s]) => s);
    this.#last = now;
    return gone;
  }
}
