// Monitoring: the PromQL subset that alert rules are written in, the bounded short-term
// series store they are evaluated against, and alert rule state with Alertmanager-compatible
// notifiers. (Not wired into the daemon yet: the metrics, the sampler that feeds the store and
// the rule evaluation loop come with the monitoring issue.)
export * from './promql/index.js';
export * from './alerts/index.js';
export * from './series/index.js';
