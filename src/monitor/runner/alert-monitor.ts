// The control plane's monitor: on every interval it samples the built-in series (the
// orchestrator's status, or everything `collect` measures: process stats, scores, request
// counters) into the series store, evaluates each alert rule against the store,
// keeps the rules' state, hands alerts to the rules' notifiers and records state changes in
// the event history. Notifiers only enqueue, so an unreachable receiver never delays a round.

import type { AlertRuleSpec } from '../../core/index.js';
import type { StackStatus } from '../../orchestrator/types.js';
import { AlertRuleState, createNotifier, type AlertLogger, type AlertTransition, type Notifier } from '../alerts/index.js';
import { evaluate, parseExpr, type Expr, type Sample } from '../promql/index.js';
import { createSeriesStore, DEFAULT_INTERVAL_MS, type SeriesQuery, type SeriesSample, type SeriesQueryResult, type SeriesStore } from '../series/index.js';
import { SeriesPresence, statusSamples } from './sampler.js';
import type { AlertsView } from './types.js';

/** An entry of the event history (the store's `events.add` takes it). */
export interface MonitorEvent {
  time: number;
  kind: string;
  service?: string;
  instance?: string;
  message: string;
}

export interface AlertMonitorOptions {
  status: () => StackStatus | null;
  /** What a round samples; default: the status' series alone (statusSamples). */
  collect?: (t: number) => Promise<SeriesSample[]> | SeriesSample[];
  /** how long the series store keeps points; @default 3600000 (1 h) */
  retentionMs?: number;
  /** where alert state changes are recorded (the store's event history) */
  events?: { add(event: MonitorEvent): Promise<void> };
  /** @default 5000 */
  intervalMs?: number;
  logger?: AlertLogger;
  /** the payloads' externalURL: where the receiver can see the alerts */
  externalURL?: string;
  now?: () => number;
}

export interface AlertMonitor {
  /** Replaces the rules; a rule whose definition did not change keeps its state and notifiers. */
  setRules(rules: readonly AlertRuleSpec[]): Promise<void>;
  /** One round: sample, compact, evaluate, notify. The timer calls it; tests may too. */
  tick(): Promise<void>;
  alerts(): AlertsView;
  series(q: SeriesQuery): SeriesQueryResult[];
  readonly store: SeriesStore;
  /** the sampling and evaluation interval */
  readonly intervalMs: number;
  /** Stops the timer and closes every notifier. */
  close(): Promise<void>;
}

interface RuleHandle {
  key: string;
  spec: AlertRuleSpec;
  expr: Expr;
  state: AlertRuleState;
  notifiers: Notifier[];
  lastEvaluation?: number;
  lastError?: string;
}

export function createAlertMonitor(opts: AlertMonitorOptions): AlertMonitor {
  const intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  const now = opts.now ?? Date.now;
  // Rings sized for the default resolution: a test's very short interval keeps less history
  // rather than growing memory.
  const store = createSeriesStore({
    intervalMs: Math.max(1000, Math.min(intervalMs, DEFAULT_INTERVAL_MS)),
    ...(opts.retentionMs !== undefined && { retentionMs: opts.retentionMs }),
  });
  const presence = new SeriesPresence();
  let rules: RuleHandle[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  const closeAll = (handles: RuleHandle[]) => Promise.all(handles.flatMap((h) => h.notifiers.map((n) => n.close().catch(() => {}))));

  function handle(spec: AlertRuleSpec): RuleHandle {
    return {
      key: JSON.stringify(spec),
      spec,
      expr: parseExpr(spec.when),
      state: new AlertRuleState({ name: spec.name, forMs: spec.forMs, labels: spec.labels, annotations: spec.annotations }),
      notifiers: spec.notify.map((n) =>
        createNotifier({
          target: n.kind === 'webhook' ? { webhook: n.url } : { alertmanager: n.url },
          sendResolved: n.sendResolved,
          ...(n.repeatIntervalMs !== undefined && { repeatIntervalMs: n.repeatIntervalMs }),
          ...(opts.externalURL !== undefined && { externalURL: opts.externalURL }),
          logger: opts.logger,
        }),
      ),
    };
  }

  async function sample(t: number): Promise<void> {
    let samples: SeriesSample[];
    if (opts.collect) samples = await opts.collect(t);
    else {
      const status = opts.status();
      samples = status ? statusSamples(status, t) : [];
    }
    for (const gone of presence.next(samples)) store.markStale(gone.name, gone.labels, t);
    store.appendMany(samples);
    store.compact(t);
  }

  async function record(transitions: AlertTransition[]): Promise<void> {
    for (const tr of transitions) {
      const { alert } = tr;
      const labels = Object.entries(alert.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(', ');
      await opts.events
        ?.add({
          time: tr.atMs,
          kind: `alert.${tr.to}`,
          ...(alert.labels.service !== undefined && { service: alert.labels.service }),
          ...(alert.labels.instance !== undefined && { instance: alert.labels.instance }),
          message: `alert ${alert.rule}${labels ? ` {${labels}}` : ''} ${tr.from} → ${tr.to} (value ${alert.value})`,
        })
        .catch((err: unknown) => opts.logger?.warn({ err }, 'recording an alert transition failed'));
    }
  }

  function evaluateRule(rule: RuleHandle, t: number): AlertTransition[] {
    let samples: Sample[] = [];
    try {
      const value = evaluate(rule.expr, store, t);
      samples = value.type === 'vector' ? value.samples : [];
      rule.lastError = undefined;
    } catch (err) {
      // Keep the alerts as they are: a failing evaluation says nothing about the condition.
      rule.lastError = err instanceof Error ? err.message : String(err);
      return [];
    } finally {
      rule.lastEvaluation = t;
    }
    const transitions = rule.state.update(samples, t);
    const alerts = rule.state.alerts();
    for (const n of rule.notifiers) {
      try {
        n.notify(alerts, t);
      } catch (err) {
        opts.logger?.warn({ err, rule: rule.spec.name }, 'alert notification failed');
      }
    }
    return transitions;
  }

  async function round(): Promise<void> {
    const t = now();
    await sample(t);
    const transitions = rules.flatMap((r) => evaluateRule(r, t));
    await record(transitions);
  }

  const tick = (): Promise<void> => {
    running ??= round()
      .catch((err: unknown) => opts.logger?.error({ err }, 'alert evaluation round failed'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => void tick().finally(schedule), intervalMs);
    timer.unref();
  };
  schedule();

  return {
    store,
    intervalMs,
    async setRules(specs) {
      const old = new Map(rules.map((r) => [r.key, r]));
      const next = specs.map((s) => {
        const key = JSON.stringify(s);
        const kept = old.get(key);
        old.delete(key);
        return kept ?? handle(s);
      });
      rules = next;
      await closeAll([...old.values()]);
    },
    tick,
    alerts: () => ({
      intervalMs,
      rules: rules.map((r) => ({
        name: r.spec.name,
        when: r.spec.when,
        forMs: r.spec.forMs,
        state: r.state.state(),
        labels: { ...r.spec.labels },
        annotations: { ...r.spec.annotations },
        ...(r.lastEvaluation !== undefined && { lastEvaluation: r.lastEvaluation }),
        ...(r.lastError !== undefined && { lastError: r.lastError }),
        alerts: r.state.alerts(),
      })),
    }),
    series: (q) => store.query(q),
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
      const all = rules;
      rules = [];
      await closeAll(all);
    },
  };
}
