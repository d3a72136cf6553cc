// Monitoring: the PromQL subset that alert rules are written in, the bounded short-term
// series store they are evaluated against, and alert rule state with Alertmanager-compatible
// notifiers, and the runner that samples the stack and evaluates rules in the daemon.
export * from './promql/index.js';
export * from './alerts/index.js';
export * from './series/index.js';
export * from './runner/index.js';
