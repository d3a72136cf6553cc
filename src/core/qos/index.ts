// QoS scoring and instance selection: pure, shared by the stable endpoints and the client SDK.
export type { Balancer, BalancerOptions, Candidate, Outcome, ScoreTerms, ScoredInstance } from './types.js';
export { DEFAULT_OUTLIER, DEFAULT_QOS_WEIGHTS, DEFAULT_SELECTION } from './defaults.js';
export { createBalancer } from './balancer.js';
export { lowestLatency, normaliseWeights, scoreInstance, scoreInstances, type InstanceSignals } from './score.js';
