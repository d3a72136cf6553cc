// The typed client of the tutti control-plane API.
export { createClient } from './client.js';
export type { ClientOptions, TuttiClient } from './client.js';
export { DEFAULT_TIMEOUT_MS } from './http.js';
export { readServerSentEvents } from './sse-reader.js';
export type * from './api-types.js';
