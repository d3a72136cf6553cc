// A notifier sends a rule set's alerts to one receiver: a webhook that gets exactly what
// Alertmanager would send it, or a real Alertmanager fed the way Prometheus feeds it.
// notify() only decides and enqueues; delivery happens in the background, so an unreachable
// receiver never slows alert evaluation down.

import { TuttiError } from '../../core/errors.js';
import { alertmanagerV2Alerts, encodeGoJson, webhookPayload } from './alertmanager-payload.js';
import { DeliveryQueue, type AlertLogger, type DeliveryStats, type RetryPolicy } from './delivery-queue.js';
import { AlertmanagerPlanner, WebhookPlanner } from './notification-plan.js';
import type { Alert } from './types.js';

export type NotifierTarget = { webhook: string } | { alertmanager: string };

export interface NotifierOptions {
  /** A webhook URL, or the base URL of an Alertmanager (`/api/v2/alerts` is appended). */
  target: NotifierTarget;
  /** The receiver name in webhook payloads. @default 'tutti' */
  receiver?: string;
  /** Where the receiver can see the alerts (the payload's externalURL). @default '' */
  externalURL?: string;
  /** Webhook only: labels that group alerts into one notification. @default ['alertname'] */
  groupBy?: string[];
  /** Webhook only: how soon a still-firing group is sent again. @default 4h */
  repeatIntervalMs?: number;
  /** Webhook only: tell the receiver when alerts resolve. @default true */
  sendResolved?: boolean;
  /** Webhook only: most alerts per payload, the rest counted in truncatedAlerts; 0 = all. @default 0 */
  maxAlerts?: number;
  /**
   * Alertmanager only: how often firing and resolved alerts are re-sent (Prometheus'
   * --rules.alert.resend-delay); firing alerts are valid for four times this. @default 1m
   */
  resendDelayMs?: number;
  /** Per request. @default 10s */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Waiting deliveries beyond this drop the oldest. @default 100 */
  maxQueued?: number;
  /** Extra request headers, e.g. Authorization. */
  headers?: Record<string, string>;
  logger?: AlertLogger;
}

export type NotifierStats = DeliveryStats;

export interface Notifier {
  /**
   * Hands over everything the notifier's rules currently hold (pending, firing, and resolved
   * alerts still retained); returns at once. A group or alert left out is forgotten.
   */
  notify(alerts: readonly Alert[], nowMs: number): void;
  stats(): NotifierStats;
  /** Cancels waiting deliveries, the retry timer and the request in flight. */
  close(): Promise<void>;
}

function checkUrl(url: string, what: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new TuttiError('TUTTI_E_MANIFEST_INVALID', `The ${what} URL "${url}" is not an http(s) URL.`, {
      hint: 'Write it in full, for example http://127.0.0.1:9093.',
    });
  }
  return parsed;
}

function checkCount(value: number, name: string, min: number): number {
  if (!Number.isFinite(value) || value < min) {
    throw new TuttiError('TUTTI_E_MANIFEST_INVALID', `The notifier option ${name} must be a number of at least ${min}; it is ${value}.`);
  }
  return value;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const retry: RetryPolicy = {
    initialMs: checkCount(options.retry?.initialMs ?? 1000, 'retry.initialMs', 0),
    maxMs: checkCount(options.retry?.maxMs ?? 60_000, 'retry.maxMs', 0),
    maxAttempts: checkCount(options.retry?.maxAttempts ?? 8, 'retry.maxAttempts', 1),
  };
  const queue = new DeliveryQueue({
    timeoutMs: checkCount(options.timeoutMs ?? 10_000, 'timeoutMs', 1),
    retry,
    maxQueued: checkCount(options.maxQueued ?? 100, 'maxQueued', 1),
    headers: options.headers ?? {},
    logger: options.logger,
  });
  let closed = false;
  const common = {
    stats: () => queue.stats(),
    close: async () => {
      closed = true;
      await queue.close();
    },
  };

  if ('webhook' in options.target) {
    const url = checkUrl(options.target.webhook, 'webhook').href;
    const receiver = options.receiver ?? 'tutti';
    const planner = new WebhookPlanner({
      groupBy: options.groupBy ?? ['alertname'],
      repeatIntervalMs: checkCount(options.repeatIntervalMs ?? 4 * 3_600_000, 'repeatIntervalMs', 0),
      sendResolved: options.sendResolved ?? true,
      maxAlerts: checkCount(options.maxAlerts ?? 0, 'maxAlerts', 0),
    });
    return {
      ...common,
      notify(alerts, nowMs) {
        if (closed) return;
        for (const plan of planner.plan(alerts, nowMs)) {
          const payload = webhookPayload({
            receiver,
            alerts: plan.alerts,
            groupLabels: plan.groupLabels,
            externalURL: options.externalURL ?? '',
            groupKey: plan.groupKey,
            truncatedAlerts: plan.truncatedAlerts,
          });
          queue.enqueue({
            url,
            body: encodeGoJson(payload),
            description: `${payload.status} ${plan.groupKey}`,
            onGiveUp: () => planner.deliveryFailed(plan),
          });
        }
      },
    };
  }

  const base = checkUrl(options.target.alertmanager, 'Alertmanager');
  // Relative resolution keeps a path prefix such as http://host/alertmanager/.
  const url = new URL('api/v2/alerts', base.href.endsWith('/') ? base.href : `${base.href}/`).href;
  const resendDelayMs = checkCount(options.resendDelayMs ?? 60_000, 'resendDelayMs', 0);
  const planner = new AlertmanagerPlanner(resendDelayMs);
  let lastNotifyMs: number | undefined;
  return {
    ...common,
    notify(alerts, nowMs) {
      if (closed) return;
      // As Prometheus: valid for four resend delays or four evaluation intervals, whichever is
      // longer, so two lost sends or evaluations do not resolve the alert in Alertmanager.
      const intervalMs = lastNotifyMs === undefined ? 0 : nowMs - lastNotifyMs;
      lastNotifyMs = nowMs;
      const due = planner.plan(alerts, nowMs);
      if (due.length === 0) return;
      const body = alertmanagerV2Alerts(due, { validUntilMs: nowMs + 4 * Math.max(resendDelayMs, intervalMs) });
      queue.enqueue({ url, body: JSON.stringify(body), description: `${due.length} alert(s) to Alertmanager` });
    },
  };
}
