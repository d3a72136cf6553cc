// The typed client of the tutti control-plane API, and the SDK a service uses to register,
// resolve and call other services (`tutti/client`).
export { createClient } from './client.js';
export type { ClientOptions, TuttiClient } from './client.js';
export { DEFAULT_TIMEOUT_MS } from './http.js';
export { readServerSentEvents } from './sse-reader.js';
export type * from './api-types.js';
export { createTuttiClient, register, resolve, fetch } from './sdk/index.js';
export type { TuttiSdk, ConnectionOptions, RegisterOptions, Registration, ResolveOptions } from './sdk/index.js';
