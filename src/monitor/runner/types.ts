// What the alert monitor shows the API: each rule with its state and its alerts.

import type { Alert, RuleState } from '../alerts/index.js';

export interface AlertRuleView {
  name: string;
  when: string;
  forMs: number;
  /** the highest state among the rule's alerts */
  state: RuleState;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** when the rule was last evaluated, ms since epoch */
  lastEvaluation?: number;
  /** why the last evaluation failed, if it did */
  lastError?: string;
  alerts: Alert[];
}

export interface AlertsView {
  /** the evaluation interval */
  intervalMs: number;
  rules: AlertRuleView[];
}
