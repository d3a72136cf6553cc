// Tutti's metrics as the daemon runs them: a recorder for the stable endpoints' outcomes, the
// families measured from the sources on demand (a scrape, a sampling round), the Prometheus
// exposition (prom-client, loaded on the first scrape), http_sd targets and `tutti top`.

import type { ScoredInstance, StackSpec } from '../../core/index.js';
import type { StackStatus } from '../../orchestrator/types.js';
import type { ServiceSummary } from '../../registry/types.js';
import type { SeriesSource } from '../promql/index.js';
import type { AlertsView } from '../runner/types.js';
import type { SeriesSample } from '../series/index.js';
import { loadExposition, type Exposition } from './exposition.js';
import { collectFamilies, storedSamples, type InstanceUsage, type MetricFamily } from './families.js';
import { scrapeTargets, type TargetGroup } from './http-sd.js';
import { RequestRecorder, type ObservedRequest } from './request-recorder.js';
import { computeTop, type TopView } from './top.js';
import type { WorkflowCounts } from './workflow-recorder.js';

/** Where the figures come from; each is read when measured (scrape time or sampling round). */
export interface MetricSources {
  status(): StackStatus | null;
  /** CPU %, memory and CPU seconds of each running instance, by id */
  stats(): Promise<InstanceUsage>;
  scores(service: string): ScoredInstance[];
  registry?: () => readonly ServiceSummary[];
  alerts?: () => AlertsView | undefined;
  /** the applied spec (for `metrics:` paths of http_sd) */
  stack?: () => StackSpec | null | undefined;
  /** the short-term series store (for `tutti top`) */
  series?: () => SeriesSource | undefined;
  /** the workflow service's counters (tutti_workflow_*) */
  workflows?: () => WorkflowCounts | undefined;
}

/** What the metrics routes need (`/metrics`, http_sd, `/api/v1/top`). */
export interface MetricsApi {
  /** the Prometheus text exposition of every tutti_ metric and the daemon's own */
  scrape(): Promise<{ contentType: string; body: string }>;
  /** Prometheus http_sd target groups: one per instance of each service that declares `metrics:` */
  targets(): Promise<TargetGroup[]>;
  /** `tutti top`'s figures over the last window; null while no stack is applied */
  top(q?: { services?: readonly string[]; windowMs?: number }): Promise<TopView | null>;
}

export interface Metrics {
  /** Counts one proxied request: wire it to every stable endpoint's `onOutcome`. */
  record(outcome: ObservedRequest): void;
  readonly api: MetricsApi;
  /** Everything measured now. */
  families(): Promise<MetricFamily[]>;
  /** The samples the series store keeps, stamped `t` (the monitor's `collect`). */
  samples(t: number): Promise<SeriesSample[]>;
  readonly recorder: RequestRecorder;
}

export interface MetricsOptions {
  /** add the daemon's own process metrics (tutti_daemon_*); @default true */
  daemonMetrics?: boolean;
  /** how long counters of an instance that is gone are kept after its last request; @default 1 h */
  forgetAfterMs?: number;
  now?: () => number;
}

export const DEFAULT_TOP_WINDOW_MS = 30_000;

export function createMetrics(sources: MetricSources, opts: MetricsOptions = {}): Metrics {
  const now = opts.now ?? Date.now;
  const recorder = new RequestRecorder({ now });
  let exposition: Promise<Exposition> | undefined;

  async function families(): Promise<MetricFamily[]> {
    const status = sources.status();
    const usage = status && status.instances.length > 0 ? await sources.stats().catch(() => ({})) : {};
    const scores = new Map<string, ScoredInstance[]>();
    for (const s of status?.services ?? []) {
      const scored = sources.scores(s.name);
      if (scored.length > 0) scores.set(s.name, scored);
    }
    return collectFamilies({
      status,
      usage,
      scores,
      requests: recorder.entries(),
      ...(sources.registry && { registry: sources.registry() }),
      ...(sources.alerts && { alerts: sources.alerts() }),
      ...(sources.workflows && { workflows: sources.workflows() }),
    });
  }

  const api: MetricsApi = {
    async scrape() {
      exposition ??= loadExposition({ daemonMetrics: opts.daemonMetrics });
      const e = await exposition.catch((err: unknown) => {
        exposition = undefined; // try again on the next scrape
        throw err;
      });
      return e.render(await families());
    },
    targets: async () => scrapeTargets(sources.status(), sources.stack?.()),
    async top(q = {}) {
      const status = sources.status();
      if (!status) return null;
      return computeTop({ status, source: sources.series?.(), t: now(), windowMs: q.windowMs ?? DEFAULT_TOP_WINDOW_MS, services: q.services });
    },
  };

  return {
    record: (o) => recorder.record(o),
    api,
    families,
    async samples(t) {
      const status = sources.status();
      const live = new Set(status?.instances.map((i) => `${i.service}\u0000${i.id}`));
      recorder.prune((service, instance) => live.has(`${service}\u0000${instance}`), t - (opts.forgetAfterMs ?? 3_600_000));
      return storedSamples(await families(), t);
    },
    recorder,
  };
}
