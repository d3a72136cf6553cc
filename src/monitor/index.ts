// Monitoring: the PromQL subset that alert rules are written in, and alert rule state with
// Alertmanager-compatible notifiers. (Not wired into the daemon yet: the series store,
// metrics and the rule evaluation loop come with the monitoring issue.)
export * from './promql/index.js';
export * from './alerts/index.js';
