// Default selection settings: used when neither the stack nor the service sets `selection`.
// Tuned with bench/discovery.js and the proxy tests; docs/balancing.md explains them.

import type { OutlierSpec, QosWeights, SelectionSpec } from '../spec.js';

export const DEFAULT_QOS_WEIGHTS: Readonly<QosWeights> = Object.freeze({ latency: 0.45, success: 0.3, load: 0.15, health: 0.1 });

export const DEFAULT_OUTLIER: Readonly<OutlierSpec> = Object.freeze({ consecutiveFailures: 5, baseEjectionMs: 10_000, maxEjectionMs: 300_000 });

export const DEFAULT_SELECTION: Readonly<SelectionSpec> = Object.freeze({
  strategy: 'qos',
  weights: DEFAULT_QOS_WEIGHTS,
  outlier: DEFAULT_OUTLIER,
});
