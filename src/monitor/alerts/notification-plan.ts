// Deciding what to send, kept apart from sending so it can be tested with tables.
// WebhookPlanner plays Alertmanager's part (tutti is the Alertmanager for webhook receivers):
// alerts are grouped, and a group is sent when it has news, or again after the repeat
// interval, following the dedup stage of notify/notify.go. AlertmanagerPlanner plays
// Prometheus' part towards a real Alertmanager: every firing or resolved alert is re-sent
// every resend delay, and Alertmanager does the deduplication.

import { groupKey } from './alertmanager-payload.js';
import { compareAlertLabels } from './label-set.js';
import type { Alert, Labels } from './types.js';

export interface PlannedGroup {
  groupKey: string;
  groupLabels: Labels;
  /** Sorted as Alertmanager sorts them, already cut to maxAlerts. */
  alerts: Alert[];
  truncatedAlerts: number;
}

// What the receiver was last told about a group (Alertmanager's notification log entry).
interface LogEntry {
  firing: Set<string>;
  resolved: Set<string>;
  sentAt: number;
}

interface GroupState {
  entry?: LogEntry;
  /** Resolved alerts already reported; Alertmanager deletes them from the group after that. */
  flushed: Set<string>;
}

export interface WebhookPlannerOptions {
  groupBy: readonly string[];
  repeatIntervalMs: number;
  sendResolved: boolean;
  /** 0: no limit. */
  maxAlerts: number;
}

// A resolved alert is identified by when it resolved too: the same label set may fire and
// resolve again later, and that second resolution must be reported.
const resolvedKey = (a: Alert): string => `${a.fingerprint}@${a.resolvedAt}`;

const isSubset = (a: Set<string>, b: Set<string>): boolean => [...a].every((x) => b.has(x));

export class WebhookPlanner {
  readonly #groups = new Map<string, GroupState>();
  readonly #sendRecords = new WeakMap<PlannedGroup, { firing: string[]; resolved: string[] }>();

  constructor(private readonly options: WebhookPlannerOptions) {}

  /**
   * `alerts` is everything the notifier's rules currently hold (pending alerts are ignored);
   * a group missing from it is forgotten.
   */
  plan(alerts: readonly Alert[], nowMs: number): PlannedGroup[] {
    const groups = new Map<string, { labels: Labels; alerts: Alert[] }>();
    for (const alert of alerts) {
      if (alert.state === 'pending') continue;
      const labels: Labels = {};
      for (const name of this.options.groupBy) {
        if (Object.hasOwn(alert.labels, name)) labels[name] = alert.labels[name];
      }
      const key = groupKey(labels);
      const group = groups.get(key) ?? { labels, alerts: [] };
      group.alerts.push(alert);
      groups.set(key, group);
    }
    for (const key of this.#groups.keys()) if (!groups.has(key)) this.#groups.delete(key);

    const planned: PlannedGroup[] = [];
    for (const [key, group] of groups) {
      const state = this.#groups.get(key) ?? { flushed: new Set<string>() };
      this.#groups.set(key, state);
      const present = new Set(group.alerts.filter((a) => a.state === 'resolved').map(resolvedKey));
      for (const k of state.flushed) if (!present.has(k)) state.flushed.delete(k);

      const candidates = group.alerts.filter((a) => a.state === 'firing' || !state.flushed.has(resolvedKey(a)));
      const firing = new Set(candidates.filter((a) => a.state === 'firing').map((a) => a.fingerprint));
      const resolved = new Set(candidates.filter((a) => a.state === 'resolved').map((a) => a.fingerprint));
      if (!this.#needsUpdate(state.entry, firing, resolved, nowMs)) continue;

      // If this notification is lost, the receiver may still believe in what it was told before.
      const mayBelieveFiring = [...(state.entry?.firing ?? []), ...firing];
      state.entry = { firing, resolved, sentAt: nowMs };
      const newlyFlushed = candidates.filter((a) => a.state === 'resolved').map(resolvedKey);
      for (const k of newlyFlushed) state.flushed.add(k);
      // Without send_resolved the log still records the resolution (so the group is not
      // re-sent as news), but the receiver only ever sees firing alerts.
      const toSend = candidates
        .filter((a) => this.options.sendResolved || a.state === 'firing')
        .sort((a, b) => compareAlertLabels(a.labels, b.labels));
      if (toSend.length === 0) continue;
      const max = this.options.maxAlerts;
      const kept = max > 0 ? toSend.slice(0, max) : toSend;
      const plan = { groupKey: key, groupLabels: group.labels, alerts: kept, truncatedAlerts: toSend.length - kept.length };
      this.#sendRecords.set(plan, { firing: mayBelieveFiring, resolved: newlyFlushed });
      planned.push(plan);
    }
    return planned;
  }

  /** A planned group could not be delivered: make the next plan send the group again. */
  deliveryFailed(plan: PlannedGroup): void {
    const state = this.#groups.get(plan.groupKey);
    const sent = this.#sendRecords.get(plan);
    if (!state || !sent) return;
    const entry = state.entry ?? { firing: new Set<string>(), resolved: new Set<string>(), sentAt: 0 };
    // Counting its alerts as told-about-and-overdue makes #needsUpdate say yes next time,
    // and un-flushing its resolved alerts puts them back into that notification.
    for (const fp of sent.firing) entry.firing.add(fp);
    entry.resolved = new Set();
    entry.sentAt = -Infinity;
    state.entry = entry;
    for (const k of sent.resolved) state.flushed.delete(k);
  }

  // Alertmanager's DedupStage.needsUpdate.
  #needsUpdate(entry: LogEntry | undefined, firing: Set<string>, resolved: Set<string>, nowMs: number): boolean {
    // A group only ever resolved, never reported firing: the receiver has nothing to clear.
    if (!entry) return firing.size > 0;
    if (!isSubset(firing, entry.firing)) return true;
    if (firing.size === 0) return entry.firing.size > 0;
    if (this.options.sendResolved && !isSubset(resolved, entry.resolved)) return true;
    return nowMs - entry.sentAt >= this.options.repeatIntervalMs;
  }
}

export class AlertmanagerPlanner {
  /** Last send time per alert instance (fingerprint and activeAt: a new firing is new). */
  readonly #lastSent = new Map<string, number>();

  constructor(private readonly resendDelayMs: number) {}

  /** The alerts due to be (re-)sent now, as Prometheus' Alert.needsSending decides. */
  plan(alerts: readonly Alert[], nowMs: number): Alert[] {
    const due: Alert[] = [];
    const present = new Set<string>();
    for (const alert of alerts) {
      if (alert.state === 'pending') continue;
      const key = `${alert.fingerprint}@${alert.activeAt}`;
      present.add(key);
      const last = this.#lastSent.get(key);
      const resolvedSinceSent = alert.resolvedAt !== undefined && last !== undefined && alert.resolvedAt > last;
      if (last === undefined || resolvedSinceSent || nowMs - last >= this.resendDelayMs) {
        this.#lastSent.set(key, nowMs);
        due.push(alert);
      }
    }
    for (const key of this.#lastSent.keys()) if (!present.has(key)) this.#lastSent.delete(key);
    return due;
  }
}
