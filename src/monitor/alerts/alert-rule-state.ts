// The state of one alerting rule across evaluations, with Prometheus' semantics
// (rules/alerting.go): one alert per label set, inactive → pending → firing → resolved.
// Pure: the caller evaluates the rule's expression and passes the result and the time in, so
// the whole life of an alert can be replayed in a table test.

import { expandTemplate } from './alert-template.js';
import { fingerprint, labelKey, compareUtf8 } from './label-set.js';
import type { Alert, AlertRule, AlertTransition, Labels, Sample } from './types.js';

/** How long a resolved alert is kept so notifiers can still report it (Prometheus: 15m). */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

export type RuleState = 'inactive' | 'pending' | 'firing';

function copyAlert(alert: Alert): Alert {
  return { ...alert, labels: { ...alert.labels }, annotations: { ...alert.annotations } };
}

export class AlertRuleState {
  readonly rule: Readonly<AlertRule>;
  readonly #active = new Map<string, Alert>();

  constructor(rule: AlertRule) {
    if (!Number.isFinite(rule.forMs) || rule.forMs < 0) {
      throw new RangeError(`alert rule ${rule.name}: forMs must be a non-negative number of milliseconds`);
    }
    this.rule = { ...rule, labels: { ...rule.labels }, annotations: { ...rule.annotations } };
  }

  /**
   * Applies one evaluation's result at `nowMs`. Returns every change of state, in the order
   * they happened, so the caller can keep history and drive notifiers.
   */
  update(samples: readonly Sample[], nowMs: number): AlertTransition[] {
    const transitions: AlertTransition[] = [];
    const seen = new Set<string>();
    const created = new Set<string>();

    for (const sample of samples) {
      const labels = this.#alertLabels(sample);
      const key = labelKey(labels);
      // Two series that differ only in __name__ collapse into one label set. Prometheus fails
      // the whole evaluation then; keeping the first keeps the rule's other alerts alive.
      if (seen.has(key)) continue;
      seen.add(key);
      const annotations = this.#expandAll(this.rule.annotations ?? {}, sample);
      const existing = this.#active.get(key);
      if (existing && existing.state !== 'resolved') {
        existing.value = sample.value;
        existing.annotations = annotations;
        continue;
      }
      // A resolved alert that comes back is a new alert: new activeAt, `for` counted again.
      this.#active.set(key, {
        rule: this.rule.name,
        state: 'pending',
        labels,
        annotations,
        fingerprint: fingerprint(labels),
        activeAt: nowMs,
        value: sample.value,
        ...(this.rule.generatorURL ? { generatorURL: this.rule.generatorURL } : {}),
      });
      created.add(key);
    }

    for (const [key, alert] of this.#active) {
      if (!seen.has(key)) {
        if (alert.state === 'pending') {
          // Never fired, so nobody was told: drop it without a resolved notification.
          this.#active.delete(key);
          transitions.push({ from: 'pending', to: 'inactive', atMs: nowMs, alert: copyAlert(alert) });
        } else if (alert.state === 'firing') {
          alert.state = 'resolved';
          alert.resolvedAt = nowMs;
          transitions.push({ from: 'firing', to: 'resolved', atMs: nowMs, alert: copyAlert(alert) });
        } else if (nowMs - (alert.resolvedAt ?? nowMs) > RESOLVED_RETENTION_MS) {
          this.#active.delete(key);
        }
        continue;
      }
      const isNew = created.has(key);
      if (alert.state === 'pending' && nowMs - alert.activeAt >= this.rule.forMs) {
        alert.state = 'firing';
        alert.firedAt = nowMs;
        // With `for: 0` an alert is pending for no time at all; one transition says so.
        transitions.push({ from: isNew ? 'inactive' : 'pending', to: 'firing', atMs: nowMs, alert: copyAlert(alert) });
      } else if (isNew) {
        transitions.push({ from: 'inactive', to: 'pending', atMs: nowMs, alert: copyAlert(alert) });
      }
    }
    return transitions;
  }

  /** Current alerts (pending, firing, and resolved ones still retained), in label order. */
  alerts(): Alert[] {
    return [...this.#active.entries()]
      .sort(([a], [b]) => compareUtf8(a, b))
      .map(([, alert]) => copyAlert(alert));
  }

  /** The rule's state as Prometheus reports it: the highest state among its alerts. */
  state(): RuleState {
    let state: RuleState = 'inactive';
    for (const alert of this.#active.values()) {
      if (alert.state === 'firing') return 'firing';
      if (alert.state === 'pending') state = 'pending';
    }
    return state;
  }

  /** The sample's labels without __name__, plus the rule's labels (templated) and alertname. */
  #alertLabels(sample: Sample): Labels {
    const labels = new Map(Object.entries(sample.labels));
    labels.delete('__name__');
    for (const [name, value] of Object.entries(this.#expandAll(this.rule.labels ?? {}, sample))) {
      // As in Prometheus' label builder, setting a label to "" removes it.
      if (value === '') labels.delete(name);
      else labels.set(name, value);
    }
    labels.set('alertname', this.rule.name);
    // fromEntries defines own properties, so even a label named __proto__ survives.
    return Object.fromEntries(labels);
  }

  #expandAll(templates: Labels, sample: Sample): Labels {
    return Object.fromEntries(
      Object.entries(templates).map(([name, text]) => [name, expandTemplate(text, { labels: sample.labels, value: sample.value })]),
    );
  }
}
