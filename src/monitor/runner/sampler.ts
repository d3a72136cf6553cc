// The built-in series, read off the orchestrator's status: pure, so a table test can check
// what a given status becomes. The alert monitor appends these to the series store on every
// interval and marks stale what a previous round had and this one lacks.

import type { StackStatus } from '../../orchestrator/types.js';
import { seriesKey, type SeriesSample } from '../series/index.js';

/** The part of the orchestrator's status the sampler reads. */
export type SampledStatus = Pick<StackStatus, 'health'> & {
  services: ReadonlyArray<Pick<StackStatus['services'][number], 'name' | 'desired' | 'ready'>>;
  instances: ReadonlyArray<Pick<StackStatus['instances'][number], 'id' | 'service' | 'state' | 'ready' | 'restarts'>>;
};

/** States in which the instance's process exists. */
const PROCESS_RUNS = new Set(['starting', 'running', 'unhealthy', 'stopping']);

/** Every built-in sample of one status at time `t`. */
export function statusSamples(status: SampledStatus, t: number): SeriesSample[] {
  const out: SeriesSample[] = [{ name: 'tutti_stack_health', labels: {}, t, v: status.health }];
  for (const s of status.services) {
    const labels = { service: s.name };
    out.push({ name: 'tutti_service_ready_instances', labels, t, v: s.ready });
    out.push({ name: 'tutti_service_desired_instances', labels, t, v: s.desired });
  }
  for (const i of status.instances) {
    const labels = { service: i.service, instance: i.id };
    out.push({ name: 'tutti_instance_up', labels, t, v: PROCESS_RUNS.has(i.state) ? 1 : 0 });
    out.push({ name: 'tutti_instance_ready', labels, t, v: i.ready ? 1 : 0 });
    out.push({ name: 'tutti_instance_restarts_total', labels, t, v: i.restarts });
  }
  return out;
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
