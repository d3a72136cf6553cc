// The bodies tutti sends, shaped exactly as the Prometheus tools shape them so that existing
// receivers work unchanged: the version 4 webhook message Alertmanager POSTs to webhook
// receivers (notify/webhook/webhook.go + template/template.go Data), encoded as Go's
// json.Encoder would, and the alert list Prometheus POSTs to Alertmanager's /api/v2/alerts.

import { compareAlertLabels, labelSetString, sortedLabels } from './label-set.js';
import type { Alert, Labels } from './types.js';

/** Go's zero time.Time, which Alertmanager prints as the end of a still-firing alert. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export type NotificationStatus = 'firing' | 'resolved';

export interface WebhookAlert {
  status: NotificationStatus;
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Key order is Go's field order: the embedded template.Data first, then the message's own. */
export interface WebhookPayload {
  receiver: string;
  status: NotificationStatus;
  alerts: WebhookAlert[];
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalURL: string;
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

export interface WebhookPayloadInput {
  receiver: string;
  /** Derived from the alerts when left out: firing if any alert fires. */
  status?: NotificationStatus;
  /** Pending alerts are skipped: Alertmanager never hears of them. */
  alerts: readonly Alert[];
  groupLabels?: Labels;
  externalURL?: string;
  /** Defaults to the key of the root route: `{}:{<group labels>}`. */
  groupKey?: string;
  truncatedAlerts?: number;
}

/** A time as Go's time.Time marshals to JSON (RFC 3339, trailing zero fractions dropped). */
export function formatGoTime(ms: number): string {
  const [whole, fraction] = new Date(ms).toISOString().slice(0, -1).split('.');
  const digits = fraction.replace(/0+$/, '');
  return `${whole}${digits ? '.' + digits : ''}Z`;
}

/** Alertmanager's aggregation-group key for a group under the root route. */
export function groupKey(groupLabels: Labels, routeKey = '{}'): string {
  return `${routeKey}:${labelSetString(groupLabels)}`;
}

// Alertmanager passes the receiver name through regexp.QuoteMeta before templating.
function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function common(maps: readonly Labels[]): Labels {
  if (maps.length === 0) return {};
  const shared: Labels = { ...maps[0] };
  for (const map of maps.slice(1)) {
    for (const name of Object.keys(shared)) {
      if (!Object.hasOwn(map, name) || map[name] !== shared[name]) delete shared[name];
    }
  }
  return sortedLabels(shared);
}

function toWebhookAlert(alert: Alert): WebhookAlert {
  const resolved = alert.state === 'resolved';
  return {
    status: resolved ? 'resolved' : 'firing',
    labels: sortedLabels(alert.labels),
    annotations: sortedLabels(alert.annotations),
    // Prometheus sends an alert's firing time, not its pending time, as startsAt.
    startsAt: formatGoTime(alert.firedAt ?? alert.activeAt),
    endsAt: resolved && alert.resolvedAt !== undefined ? formatGoTime(alert.resolvedAt) : ZERO_TIME,
    generatorURL: alert.generatorURL ?? '',
    fingerprint: alert.fingerprint,
  };
}

/** The version 4 message Alertmanager POSTs to a webhook receiver for one group. */
export function webhookPayload(input: WebhookPayloadInput): WebhookPayload {
  // Alertmanager sorts a group's alerts (by job, instance, then labels) before notifying.
  const alerts = input.alerts
    .filter((a) => a.state !== 'pending')
    .sort((a, b) => compareAlertLabels(a.labels, b.labels));
  const groupLabels = sortedLabels(input.groupLabels ?? {});
  return {
    receiver: quoteMeta(input.receiver),
    status: input.status ?? (alerts.some((a) => a.state === 'firing') ? 'firing' : 'resolved'),
    alerts: alerts.map(toWebhookAlert),
    groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: input.externalURL ?? '',
    version: '4',
    groupKey: input.groupKey ?? groupKey(groupLabels),
    truncatedAlerts: input.truncatedAlerts ?? 0,
  };
}

const GO_HTML_ESCAPES: Record<string, string> = {
  '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029',
};

/**
 * JSON as Go's json.Encoder writes it, byte for byte: HTML-sensitive characters and the two
 * JavaScript line separators escaped, and a trailing newline. Objects must already have
 * their keys in Go's order (struct field order, sorted map keys), as webhookPayload's do.
 */
export function encodeGoJson(value: unknown): string {
  // <, >, & and U+2028/9 can only occur inside strings, so replacing them everywhere is safe.
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => GO_HTML_ESCAPES[ch]) + '\n';
}

/** One element of the body of Alertmanager's `POST /api/v2/alerts` (PostableAlert). */
export interface PostableAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface PostableAlertOptions {
  /**
   * The endsAt of firing alerts. Prometheus sends now + 4 × its resend delay, so Alertmanager
   * resolves the alert by itself if the sender goes away; left out, Alertmanager applies its
   * own resolve_timeout.
   */
  validUntilMs?: number;
}

/** The body of `POST /api/v2/alerts`, as Prometheus sends it (times in RFC 3339 with ms). */
export function alertmanagerV2Alerts(alerts: readonly Alert[], options: PostableAlertOptions = {}): PostableAlert[] {
  return alerts
    .filter((a) => a.state !== 'pending')
    .map((alert) => {
      const endsAtMs = alert.state === 'resolved' ? alert.resolvedAt : options.validUntilMs;
      return {
        labels: sortedLabels(alert.labels),
        annotations: sortedLabels(alert.annotations),
        startsAt: new Date(alert.firedAt ?? alert.activeAt).toISOString(),
        ...(endsAtMs !== undefined ? { endsAt: new Date(endsAtMs).toISOString() } : {}),
        ...(alert.generatorURL ? { generatorURL: alert.generatorURL } : {}),
      };
    });
}
