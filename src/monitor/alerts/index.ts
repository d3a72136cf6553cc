// Alert rules and notifications: the state of each rule's alerts across evaluations
// (Prometheus semantics), and notifiers that speak Alertmanager's webhook format or feed a
// real Alertmanager. Input is the evaluated result of a rule's expression; this folder does
// not evaluate PromQL itself.

export type { Alert, AlertRule, AlertState, AlertTransition, Labels, Sample } from './types.js';
export { AlertRuleState, RESOLVED_RETENTION_MS, type RuleState } from './alert-rule-state.js';
export { expandTemplate, templateError, formatGoFloat, type TemplateData } from './alert-template.js';
export { fingerprint, labelSetString } from './label-set.js';
export {
  webhookPayload,
  encodeGoJson,
  alertmanagerV2Alerts,
  groupKey,
  formatGoTime,
  ZERO_TIME,
  type WebhookPayload,
  type WebhookPayloadInput,
  type WebhookAlert,
  type NotificationStatus,
  type PostableAlert,
  type PostableAlertOptions,
} from './alertmanager-payload.js';
export {
  createNotifier,
  type Notifier,
  type NotifierOptions,
  type NotifierStats,
  type NotifierTarget,
} from './notifier.js';
export type { AlertLogger, RetryPolicy } from './delivery-queue.js';
