// Renders metric families in Prometheus' text format through prom-client. prom-client is
// imported on the first render only, so a daemon nobody scrapes never loads it; the families
// are registered as collectors whose values are read at scrape time. The daemon's own process
// metrics come from prom-client's default collectors, prefixed `tutti_daemon_` so they never
// mix with a service's `process_*` series in a Prometheus that scrapes both.

import type { MetricFamily } from './families.js';
import { METRICS, type MetricDef } from './catalog.js';

export const DAEMON_METRICS_PREFIX = 'tutti_daemon_';

export interface Exposition {
  render(families: readonly MetricFamily[]): Promise<{ contentType: string; body: string }>;
}

type PromClient = typeof import('prom-client');

/** A collector prom-client's Registry accepts: it calls `get()` at scrape time. */
interface FamilyCollector {
  name: string;
  help: string;
  type: MetricDef['type'];
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: MetricDef['type']; aggregator: 'sum'; values: ExposedValue[] }>;
}

interface ExposedValue {
  metricName: string;
  labels: Record<string, string>;
  /** prom-client formats (and escapes) a sharedLabels object once, however many values share it */
  sharedLabels?: Record<string, string>;
  value: number;
}

/**
 * The values of one family, with each instance's `service`/`instance` pair as one object
 * shared by all its values in this render: prom-client then escapes and formats it once
 * rather than once per value, which is most of a scrape's cost with a few thousand series.
 */
function exposed(family: MetricFamily | undefined, shared: Map<string, Record<string, string>>): ExposedValue[] {
  const out: ExposedValue[] = [];
  for (const s of family?.samples ?? []) {
    const { service, instance, ...rest } = s.labels;
    if (service === undefined) {
      out.push({ metricName: s.name, labels: s.labels, value: s.value });
      continue;
    }
    const key = instance === undefined ? service : `${service}\u0000${instance}`;
    let sharedLabels = shared.get(key);
    if (!sharedLabels) shared.set(key, (sharedLabels = instance === undefined ? { service } : { service, instance }));
    out.push({ metricName: s.name, labels: rest, sharedLabels, value: s.value });
  }
  return out;
}

export async function loadExposition(opts: { daemonMetrics?: boolean } = {}): Promise<Exposition> {
  const mod = (await import('prom-client')) as PromClient & { default?: PromClient };
  const prom = mod.default ?? mod;
  const registry = new prom.Registry();
  if (opts.daemonMetrics !== false) prom.collectDefaultMetrics({ register: registry, prefix: DAEMON_METRICS_PREFIX });

  let current = new Map<string, MetricFamily>();
  let shared = new Map<string, Record<string, string>>();
  for (const def of Object.values(METRICS)) {
    const collector: FamilyCollector = {
      name: def.name,
      help: def.help,
      type: def.type,
      aggregator: 'sum',
      get: async () => ({
        name: def.name,
        help: def.help,
        type: def.type,
        aggregator: 'sum',
        values: exposed(current.get(def.name), shared),
      }),
    };
    registry.registerMetric(collector as unknown as Parameters<typeof registry.registerMetric>[0]);
  }

  // one render at a time: the collectors read `current`, which each render replaces
  let chain: Promise<unknown> = Promise.resolve();
  return {
    render(families) {
      const next = chain.then(async () => {
        current = new Map(families.map((f) => [f.def.name, f]));
        shared = new Map();
        return { contentType: registry.contentType, body: await registry.metrics() };
      });
      chain = next.catch(() => {});
      return next;
    },
  };
}
