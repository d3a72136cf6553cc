// Stable per-service endpoints that balance over ready instances.
export { startEndpoint } from './http-endpoint.js';
export type { EndpointOptions, ServiceEndpoint, Target } from './http-endpoint.js';
