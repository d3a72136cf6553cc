// Types shared by the API plugins: a TypeBox type provider (request types inferred from the
// route schemas) and what every route plugin receives.

import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyTypeProvider, RawServerDefault } from 'fastify';
import type { Orchestrator } from '../orchestrator/types.js';
import type { AlertMonitor, MetricsApi } from '../monitor/index.js';
import type { SseHub } from './sse.js';
import type { Registry } from '../registry/types.js';
import type { WorkflowService } from '../workflow/service/index.js';
import type { EventBus } from '../workflow/events/types.js';

export interface TypeBoxProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
}

export type ApiPlugin<Opts extends object = ApiDeps> = FastifyPluginAsync<Opts, RawServerDefault, TypeBoxProvider>;

/** CPU (percent of one core), resident memory (bytes) and total CPU seconds (when known) per instance id. */
export type InstanceStats = Record<string, { cpu: number; memory: number; cpuSeconds?: number }>;

/** The orchestrator as the control plane uses it. */
export type ControlledOrchestrator = Orchestrator;

export interface ApiDeps {
  orchestrator: ControlledOrchestrator;
  sse: SseHub;
  /** the alert monitor, running while the applied stack has alert rules */
  monitor?: () => AlertMonitor | undefined;
  /** the service registry (discovery API); absent in tests that do not need it */
  registry?: Registry;
  /** where the registry's DNS interface listens, if it runs */
  dns?: () => { host: string; port: number } | undefined;
  /** Prometheus exposition, http_sd targets and `tutti top` figures */
  metrics?: MetricsApi;
  /** deployed workflows and their runs (the engine loads once a workflow exists) */
  workflows?: WorkflowService;
  /** the CloudEvents bus `POST /api/v1/events` publishes into */
  eventBus?: Pick<EventBus, 'publish'>;
}

/** What the metrics routes need (`/metrics`, http_sd, `/api/v1/top`); implemented by the
 *  monitor layer's createMetrics (loaded lazily by the daemon's monitor control). */
export type { MetricsApi } from '../monitor/index.js';

/** Marks a plugin as not encapsulated (what fastify-plugin does), so its hooks and handlers
 *  apply to the whole app. */
export function global<T extends (...args: never[]) => unknown>(plugin: T, name: string): T {
  const marked = plugin as unknown as Record<symbol, unknown>;
  marked[Symbol.for('skip-override')] = true;
  marked[Symbol.for('fastify.display-name')] = name;
  return plugin;
}
