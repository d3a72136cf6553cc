// Monitoring: the PromQL subset that alert rules are written in, the bounded short-term
// series store they are evaluated against, and alert rule state with Alertmanager-compatible
// notifiers, the runner that samples the stack and evaluates rules in the daemon, and tutti's
// own metrics (Prometheus exposition, http_sd, `tutti top`).
export * from './promql/index.js';
export * from './alerts/index.js';
export * from './series/index.js';
export * from './runner/index.js';
export * from './metrics/index.js';
