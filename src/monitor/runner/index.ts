// The monitor as the daemon runs it: the sampler of built-in series and the alert loop.
export { createAlertMonitor, type AlertMonitor, type AlertMonitorOptions, type MonitorEvent } from './alert-monitor.js';
export { statusSamples, SeriesPresence, type SampledStatus } from './sampler.js';
export type { AlertRuleView, AlertsView } from './types.js';
