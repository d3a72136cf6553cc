// Runs the monitor for the applied stack: the series store sampled on every interval (process
// stats, stable-endpoint counters, scores, readiness) with the stack's alert rules evaluated
// against it, and tutti's metrics (`/metrics`, http_sd, `tutti top`). The monitor module is
// loaded on first use, so a daemon without a stack never pays for it (and prom-client only on
// the first scrape); requests counted before it loaded are kept and counted once it has. The
// orchestrator is wrapped so that every successful apply and down passes through here.

import type { Logger } from 'pino';
import { parseDuration, type AlertRuleSpec, type StackSpec } from '../core/index.js';
import type { AlertMonitor, Metrics, MetricsApi, MonitorEvent, ObservedRequest, WorkflowCounts } from '../monitor/index.js';
import { onStackChange } from './stack-hooks.js';
import type { Orchestrator } from '../orchestrator/types.js';
import type { Registry } from '../registry/types.js';

export interface MonitorControlOptions {
  orchestrator: Orchestrator;
  events: { add(event: MonitorEvent): Promise<void> };
  logger: Logger;
  /** sampling and evaluation interval; @default TUTTI_MONITOR_INTERVAL_MS, else 5 s */
  intervalMs?: number;
  /** how long the series store keeps points; @default TUTTI_SERIES_RETENTION, else 1 h */
  retentionMs?: number;
  /** the service registry, for tutti_registry_* */
  registry?: Pick<Registry, 'services'>;
  /** the workflow service's counters, for tutti_workflow_* */
  workflows?: WorkflowCounts;
}

export interface MonitorControl {
  /** The applied stack (none: the monitor stops and its series are dropped). */
  setStack(stack: StackSpec | null | undefined): Promise<void>;
  /** Only the alert rules (the stack stays as it was); kept for callers of the alert-only control. */
  setRules(rules: readonly AlertRuleSpec[] | undefined): Promise<void>;
  /** The running monitor, while a stack is applied. */
  monitor(): AlertMonitor | undefined;
  /** Counts one proxied request; wire every stable endpoint's `onOutcome` here. Cheap and synchronous. */
  record(outcome: ObservedRequest): void;
  /** For buildApp's `metrics`. */
  readonly metrics: MetricsApi;
  close(): Promise<void>;
}

export function monitorIntervalMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const n = Number(env.TUTTI_MONITOR_INTERVAL_MS);
  return env.TUTTI_MONITOR_INTERVAL_MS && Number.isFinite(n) && n >= 10 ? n : undefined;
}

/** TUTTI_SERIES_RETENTION: a duration (`2h`, `30m`) or milliseconds; at least a minute. */
export function seriesRetentionMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.TUTTI_SERIES_RETENTION;
  if (!text) return undefined;
  const ms = parseDuration(text);
  return ms !== undefined && ms >= 60_000 ? ms : undefined;
}

/** Outcomes counted while the monitor module loads (a few milliseconds after the first apply). */
const MAX_PENDING = 10_000;

export function createMonitorControl(opts: MonitorControlOptions): MonitorControl {
  let metrics: Metrics | undefined;
  let loading: Promise<Metrics> | undefined;
  let monitor: AlertMonitor | undefined;
  let stack: StackSpec | undefined;
  let pending: ObservedRequest[] = [];
  // one change at a time: an `up` right after a `down` must not race the monitor's start
  let chain: Promise<void> = Promise.resolve();

  const intervalMs = opts.intervalMs ?? monitorIntervalMs();
  const retentionMs = opts.retentionMs ?? seriesRetentionMs();
  if (process.env.TUTTI_SERIES_RETENTION && retentionMs === undefined) {
    opts.logger.warn({ value: process.env.TUTTI_SERIES_RETENTION }, 'TUTTI_SERIES_RETENTION is not a duration of a minute or more; keeping 1h');
  }

  const load = (): Promise<Metrics> => {
    loading ??= import('../monitor/index.js').then((m) => {
      const { orchestrator } = opts;
      metrics = m.createMetrics({
        status: () => orchestrator.status(),
        stats: () => orchestrator.stats(),
        scores: (service) => {
          try {
            return orchestrator.scores(service);
          } catch {
            return [];
          }
        },
        ...(opts.registry && { registry: () => opts.registry!.services() }),
        alerts: () => monitor?.alerts(),
        stack: () => stack,
        series: () => monitor?.store,
        ...(opts.workflows && { workflows: () => opts.workflows }),
      });
      for (const o of pending) metrics.record(o);
      pending = [];
      return metrics;
    });
    return loading;
  };

  const start = async (): Promise<AlertMonitor> => {
    if (monitor) return monitor;
    const [m, mod] = await Promise.all([load(), import('../monitor/index.js')]);
    monitor = mod.createAlertMonitor({
      status: () => opts.orchestrator.status(),
      collect: (t) => m.samples(t),
      events: opts.events,
      intervalMs,
      ...(retentionMs !== undefined && { retentionMs }),
      logger: opts.logger,
    });
    opts.logger.info({ intervalMs: monitor.intervalMs, retentionMs: monitor.store.options.retentionMs }, 'monitor started');
    // a first sample now, so `tutti top` right after `up` shows memory (rates need a second one)
    void monitor.tick();
    return monitor;
  };

  const stop = async (): Promise<void> => {
    const old = monitor;
    monitor = undefined;
    await old?.close();
  };

  const enqueue = (change: () => Promise<void>): Promise<void> => {
    const next = chain.then(change);
    chain = next.catch((err: unknown) => opts.logger.error({ err }, 'monitor not updated'));
    return next;
  };

  const api: MetricsApi = {
    scrape: async () => (await load()).api.scrape(),
    targets: async () => (await load()).api.targets(),
    top: async (q) => (await load()).api.top(q),
  };

  return {
    setStack: (next) =>
      enqueue(async () => {
        stack = next ?? undefined;
        if (!stack) return stop();
        await (await start()).setRules(stack.alerts ?? []);
      }),
    setRules: (rules) =>
      enqueue(async () => {
        // a stack is applied (an adopted one after a daemon restart) or rules are given: sample
        if ((!rules || rules.length === 0) && !stack && !opts.orchestrator.status()) return stop();
        await (await start()).setRules(rules ?? []);
      }),
    monitor: () => monitor,
    record(o) {
      if (metrics) return metrics.record(o);
      if (pending.length < MAX_PENDING) pending.push(o);
      void load().catch((err: unknown) => opts.logger.error({ err }, 'loading the monitor failed'));
    },
    metrics: api,
    close: () => enqueue(stop),
  };
}

/** The orchestrator, with the monitor following every successful apply and down. */
export function withMonitor(orchestrator: Orchestrator, control: Pick<MonitorControl, 'setStack'>): Orchestrator {
  return onStackChange(orchestrator, (stack) => control.setStack(stack));
}
