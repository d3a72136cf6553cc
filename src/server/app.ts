// The control-plane HTTP app: auth and error handling for everything, the OpenAPI document,
// and one plugin per API area under /api/v1. The caller listens (and closes) it.

import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { authPlugin, type Role } from './auth.js';
import { drainConnectionsOnClose } from './connections.js';
import { errorsPlugin } from './errors.js';
import { openApiRoutes, registerOpenApi } from './openapi.js';
import type { ApiDeps, ControlledOrchestrator } from './plugin-types.js';
import { alertRoutes } from './routes/alerts.js';
import { daemonRoutes, healthRoutes, type DaemonOptions } from './routes/daemon.js';
import { instanceRoutes } from './routes/instances.js';
import { logRoutes } from './routes/logs.js';
import { metricsRoutes } from './routes/metrics.js';
import { operationRoutes } from './routes/operations.js';
import { registryRoutes } from './routes/registry.js';
import { runRoutes } from './routes/runs.js';
import { eventRoutes } from './routes/events.js';
import { workflowRoutes } from './routes/workflows.js';
import { serviceRoutes } from './routes/services.js';
import { stackRoutes } from './routes/stack.js';
import { SseHub } from './sse.js';
import { DashboardSessions, dashboardPlugin, type EventHistory } from './dashboard/index.js';

export const API_PREFIX = '/api/v1';

export interface BuildAppOptions {
  orchestrator: ControlledOrchestrator;
  /** the alert monitor, while the applied stack has alert rules */
  monitor?: ApiDeps['monitor'];
  /** the service registry (discovery API) */
  registry?: ApiDeps['registry'];
  /** where the registry's DNS interface listens */
  dns?: ApiDeps['dns'];
  /** Prometheus exposition and http_sd targets */
  metrics?: ApiDeps['metrics'];
  /** workflows and their runs (without it, the workflow and run routes are absent) */
  workflows?: ApiDeps['workflows'];
  /** the CloudEvents bus of `POST /api/v1/events` (absent without it) */
  eventBus?: ApiDeps['eventBus'];
  /** the stack's event history (the store's events), shown by the dashboard */
  history?: EventHistory;
  /** token → role */
  tokens: Record<string, Role>;
  /** default: no logging */
  logger?: Logger | false;
  /** called after the 202 of `POST /api/v1/daemon/shutdown` has been sent */
  onShutdown?: (opts: { stopStack: boolean }) => void;
  /** tutti's version, shown by /api/v1/version and the OpenAPI document */
  version: string;
  /** where the stack's services run, shown by /api/v1/version */
  runtime?: DaemonOptions['runtime'];
  /** period of the SSE heartbeat comment; default 15 s */
  sseHeartbeatMs?: number;
  /** largest request body; default 8 MiB (a compiled manifest of a few hundred services) */
  bodyLimit?: number;
}

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    bodyLimit: opts.bodyLimit ?? 8 * 1024 * 1024,
    // ids from the daemon, not from callers
    requestIdHeader: false,
    // a HEAD of an event stream would hold a connection for nothing
    exposeHeadRoutes: false,
    // unknown fields are refused, not silently dropped: a typo must not change what happens
    ajv: { customOptions: { removeAdditional: false } },
  }) as unknown as FastifyInstance;
  // Response schemas document the API (OpenAPI); answers are the orchestrator's own typed
  // objects, so plain JSON.stringify serialises them. Compiling a fast-json-stringify
  // serialiser per route would cost the daemon megabytes of generated code for no gain.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  const sse = new SseHub({ heartbeatMs: opts.sseHeartbeatMs });
  // open event streams never end by themselves; end them so close() does not wait on them
  app.addHook('preClose', async () => sse.closeAll());
  drainConnectionsOnClose(app);

  await app.register(errorsPlugin);
  // the dashboard's sessions: the auth plugin accepts their cookie, the dashboard opens them
  const sessions = new DashboardSessions();
  await app.register(authPlugin, { tokens: opts.tokens, sessions });
  await registerOpenApi(app, { version: opts.version });

  const deps: ApiDeps = {
    orchestrator: opts.orchestrator,
    sse,
    monitor: opts.monitor,
    registry: opts.registry,
    dns: opts.dns,
    metrics: opts.metrics,
    workflows: opts.workflows,
    eventBus: opts.eventBus,
  };
  await app.register(healthRoutes);
  await app.register(metricsRoutes, deps);
  await app.register(
    async (api) => {
      await api.register(stackRoutes, deps);
      await api.register(serviceRoutes, deps);
      await api.register(instanceRoutes, deps);
      await api.register(operationRoutes, deps);
      await api.register(logRoutes, deps);
      await api.register(alertRoutes, deps);
      await api.register(registryRoutes, deps);
      await api.register(workflowRoutes, deps);
      await api.register(runRoutes, deps);
      await api.register(eventRoutes, deps);
      await api.register(daemonRoutes, { version: opts.version, runtime: opts.runtime, onShutdown: opts.onShutdown });
      await api.register(openApiRoutes);
    },
    { prefix: API_PREFIX },
  );
  await app.register(dashboardPlugin, { ...deps, sessions, tokens: opts.tokens, history: opts.history });
  return app;
}
