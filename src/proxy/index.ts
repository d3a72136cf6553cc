// Stable per-service endpoints (http and tcp) that balance over the instances that may
// receive traffic, with the QoS Balancer of core/qos.
export { startEndpoint } from './endpoint.js';
export type { EndpointOptions, RequestOutcome, ServiceEndpoint, Target } from './types.js';
