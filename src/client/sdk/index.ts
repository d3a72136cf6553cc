// The SDK a service uses (exported from `tutti/client`): register with heartbeats, resolve
// services from a watched cache, fetch `http://<service>/…` through the QoS balancer.
export { createTuttiClient, register, resolve, fetch } from './tutti-client.js';
export type { TuttiSdk } from './tutti-client.js';
export type { ConnectionOptions } from './connection.js';
export type { RegisterOptions, Registration } from './registration.js';
export type { ResolveOptions } from './instance-cache.js';
