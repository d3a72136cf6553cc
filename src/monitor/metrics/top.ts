// The figures of `tutti top`: per service and instance, readiness and restarts from the
// orchestrator's status, and CPU, memory, request rate, p99 latency and error ratio over the
// last window of the series store, computed with the same PromQL evaluator as alert rules.
// Pure: a test fills a store by hand and checks the table.

import type { StackStatus } from '../../orchestrator/types.js';
import { evaluate, formatPromDuration, parseExpr, type SeriesSource } from '../promql/index.js';
import { METRICS } from './catalog.js';

export interface TopFigures {
  /** percent of one core, averaged over the window */
  cpuPercent: number | null;
  /** resident memory, bytes (latest sample) */
  memoryBytes: number | null;
  /** requests per second through the stable endpoint over the window */
  requestsPerSecond: number | null;
  /** 99th percentile of request duration over the window, seconds */
  p99Seconds: number | null;
  /** failed (5xx or no answer) / all requests over the window; null without requests */
  errorRatio: number | null;
  restarts: number;
}

export interface TopInstance extends TopFigures {
  instance: string;
  service: string;
  state: string;
  ready: boolean;
}

export interface TopService extends TopFigures {
  service: string;
  ready: number;
  desired: number;
  instances: TopInstance[];
}

export interface TopView {
  stack: string;
  /** when the figures were computed, ms since epoch */
  time: number;
  /** the window rates and quantiles are computed over */
  windowMs: number;
  health: number;
  services: TopService[];
}

export interface TopInput {
  status: Pick<StackStatus, 'name' | 'health' | 'services' | 'instances'>;
  source: SeriesSource | undefined;
  t: number;
  windowMs: number;
  /** only these services (all when empty or absent) */
  services?: readonly string[];
}

type Figure = 'cpuPercent' | 'memoryBytes' | 'requestsPerSecond' | 'errors' | 'p99Seconds';

function queries(by: string, w: string): Record<Figure, string> {
  return {
    cpuPercent: `sum by (${by}) (rate(${METRICS.instanceCpu.name}[${w}])) * 100`,
    memoryBytes: `sum by (${by}) (${METRICS.instanceMemory.name})`,
    requestsPerSecond: `sum by (${by}) (rate(${METRICS.requests.name}[${w}]))`,
    errors: `sum by (${by}) (rate(${METRICS.requestErrors.name}[${w}]))`,
    p99Seconds: `histogram_quantile(0.99, sum by (${by}, le) (rate(${METRICS.requestDuration.name}_bucket[${w}])))`,
  };
}

/** Each figure's value per `service` or `service\0instance`. */
function evaluateAll(source: SeriesSource | undefined, t: number, by: 'service' | 'service, instance', windowMs: number) {
  const out = new Map<string, Partial<Record<Figure, number>>>();
  if (!source) return out;
  for (const [figure, text] of Object.entries(queries(by, formatPromDuration(windowMs))) as Array<[Figure, string]>) {
    const v = evaluate(parseExpr(text), source, t);
    if (v.type !== 'vector') continue;
    for (const s of v.samples) {
      const key = by === 'service' ? (s.labels.service ?? '') : `${s.labels.service ?? ''}\u0000${s.labels.instance ?? ''}`;
      const row = out.get(key) ?? {};
      if (Number.isFinite(s.value)) row[figure] = s.value;
      out.set(key, row);
    }
  }
  return out;
}

function figures(row: Partial<Record<Figure, number>> | undefined, restarts: number): TopFigures {
  const rps = row?.requestsPerSecond;
  return {
    cpuPercent: row?.cpuPercent ?? null,
    memoryBytes: row?.memoryBytes ?? null,
    requestsPerSecond: rps ?? null,
    p99Seconds: row?.p99Seconds ?? null,
    errorRatio: rps !== undefined && rps > 0 ? (row?.errors ?? 0) / rps : null,
    restarts,
  };
}

export function computeTop(input: TopInput): TopView {
  const { status, source, t, windowMs } = input;
  const wanted = input.services && input.services.length > 0 ? new Set(input.services) : undefined;
  const perInstance = evaluateAll(source, t, 'service, instance', windowMs);
  const perService = evaluateAll(source, t, 'service', windowMs);
  const services: TopService[] = [];
  for (const s of status.services) {
    if (wanted && !wanted.has(s.name)) continue;
    const instances = status.instances
      .filter((i) => i.service === s.name)
      .map((i): TopInstance => {
        const f = figures(perInstance.get(`${s.name}\u0000${i.id}`), i.restarts);
        // a service with traffic: an instance that got none served 0 requests per second
        if (f.requestsPerSecond === null && perService.get(s.name)?.requestsPerSecond !== undefined) f.requestsPerSecond = 0;
        return { service: s.name, instance: i.id, state: i.state, ready: i.ready, ...f };
      });
    const restarts = instances.reduce((n, i) => n + i.restarts, 0);
    services.push({ service: s.name, ready: s.ready, desired: s.desired, ...figures(perService.get(s.name), restarts), instances });
  }
  return { stack: status.name, time: t, windowMs, health: status.health, services };
}
