// The shapes shared by alert evaluation and notification. Alert evaluation takes the already
// evaluated result of a rule's `when` expression (a list of samples, the PromQL evaluator's
// Sample type); the daemon wires the two together.

export type Labels = Record<string, string>;

/** One element of an instant vector: what a rule's expression returned for one series. */
export type { Sample } from '../promql/index.js';

/** One alerting rule, compiled: durations already in milliseconds. */
export interface AlertRule {
  /** Becomes the `alertname` label of every alert of the rule. */
  name: string;
  /** How long the condition must hold before a pending alert fires (Prometheus `for`). */
  forMs: number;
  /** Added to every alert's labels; values may use `{{ $labels.x }}` / `{{ $value }}`. */
  labels?: Labels;
  /** Templated for every alert at every evaluation. */
  annotations?: Labels;
  /** Link back to where the alert came from (Prometheus points at its graph page). */
  generatorURL?: string;
}

/**
 * `inactive` is never stored: an inactive label set has no alert. `resolved` is Prometheus'
 * inactive-with-ResolvedAt, kept for a while so notifiers can tell receivers it ended.
 */
export type AlertState = 'pending' | 'firing' | 'resolved';

export interface Alert {
  /** The rule's name, also `labels.alertname`. */
  rule: string;
  state: AlertState;
  labels: Labels;
  annotations: Labels;
  /** Alertmanager's fingerprint of `labels`: 16 lowercase hex digits. */
  fingerprint: string;
  /** When the condition first returned this label set (ms since the epoch). */
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  /** The sample value at the last evaluation that returned this label set. */
  value: number;
  generatorURL?: string;
}

/** One change of state, returned by `AlertRuleState.update` so the caller can keep history. */
export interface AlertTransition {
  from: 'inactive' | AlertState;
  to: 'inactive' | AlertState;
  atMs: number;
  /** The alert as it is after the transition (a copy). */
  alert: Alert;
}
