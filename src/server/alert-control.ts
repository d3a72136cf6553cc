// Starts the alert monitor only for a stack that has alert rules, loading the monitor module
// on first use so a daemon without rules never pays for it, and gives it the applied stack's
// rules on every `up` (stopping it on `down` or when the rules are gone). The orchestrator is
// wrapped so that every successful apply and down passes through here.

import type { Logger } from 'pino';
import type { AlertRuleSpec } from '../core/index.js';
import type { AlertMonitor, MonitorEvent } from '../monitor/index.js';
import type { Orchestrator } from '../orchestrator/types.js';

export interface AlertControlOptions {
  orchestrator: Orchestrator;
  events: { add(event: MonitorEvent): Promise<void> };
  logger: Logger;
  /** @default TUTTI_MONITOR_INTERVAL_MS, else 5 s */
  intervalMs?: number;
}

export interface AlertControl {
  /** The rules of the applied stack (none: the monitor stops). */
  setRules(rules: readonly AlertRuleSpec[] | undefined): Promise<void>;
  /** The running monitor, if the stack has rules. */
  monitor(): AlertMonitor | undefined;
  close(): Promise<void>;
}

export function monitorIntervalMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const n = Number(env.TUTTI_MONITOR_INTERVAL_MS);
  return env.TUTTI_MONITOR_INTERVAL_MS && Number.isFinite(n) && n >= 10 ? n : undefined;
}

export function createAlertControl(opts: AlertControlOptions): AlertControl {
  let monitor: AlertMonitor | undefined;
  // one change at a time: an `up` right after a `down` must not race the monitor's start
  let chain: Promise<void> = Promise.resolve();

  const change = async (rules: readonly AlertRuleSpec[] | undefined): Promise<void> => {
    if (!rules || rules.length === 0) {
      const old = monitor;
      monitor = undefined;
      await old?.close();
      return;
    }
    if (!monitor) {
      const { createAlertMonitor } = await import('../monitor/index.js');
      monitor = createAlertMonitor({
        status: () => opts.orchestrator.status(),
        events: opts.events,
        intervalMs: opts.intervalMs ?? monitorIntervalMs(),
        logger: opts.logger,
      });
      opts.logger.info({ rules: rules.length }, 'alert monitor started');
    }
    await monitor.setRules(rules);
  };

  const enqueue = (rules: readonly AlertRuleSpec[] | undefined): Promise<void> => {
    const next = chain.then(() => change(rules));
    chain = next.catch((err: unknown) => opts.logger.error({ err }, 'alert rules not applied'));
    return next;
  };

  return {
    setRules: enqueue,
    monitor: () => monitor,
    close: () => enqueue(undefined),
  };
}

/** The orchestrator, with the alert rules following every successful apply and down. */
export function withAlertRules(orchestrator: Orchestrator, control: AlertControl): Orchestrator {
  const wrapped: Orchestrator = {
    status: () => orchestrator.status(),
    apply: async (stack) => {
      const op = await orchestrator.apply(stack);
      await control.setRules(stack.alerts).catch(() => {});
      return op;
    },
    restart: (s) => orchestrator.restart(s),
    scale: (s, n) => orchestrator.scale(s, n),
    stop: (s) => orchestrator.stop(s),
    start: (s) => orchestrator.start(s),
    down: async () => {
      const op = await orchestrator.down();
      await control.setRules(undefined).catch(() => {});
      return op;
    },
    operation: (id) => orchestrator.operation(id),
    followOperation: (id, listener) => orchestrator.followOperation(id, listener),
    logs: (q, signal) => orchestrator.logs(q, signal),
    stats: () => orchestrator.stats(),
    close: () => orchestrator.close(),
  };
  return wrapped;
}
