// The control-plane daemon's HTTP API: Fastify app, auth, SSE, OpenAPI.
export { buildApp, API_PREFIX } from './app.js';
export type { BuildAppOptions } from './app.js';
export type { Role } from './auth.js';
export type { ControlledOrchestrator, InstanceStats } from './plugin-types.js';
export { SseHub, DEFAULT_HEARTBEAT_MS } from './sse.js';
export type { SseStream, SseMessage } from './sse.js';
