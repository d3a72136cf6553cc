// Tutti's metrics over HTTP: `GET /metrics` at the root (Prometheus' default metrics_path,
// viewer token), the Prometheus HTTP service discovery document of the stack's scrape targets,
// and the figures of `tutti top`. All three read the MetricsApi the daemon passes in; without
// one (a test app, a daemon built without the monitor) they answer 503.

import { Type } from '@sinclair/typebox';
import { TuttiError, parseDuration } from '../../core/index.js';
import type { ApiPlugin } from '../plugin-types.js';
import { requireService, requireStack } from './lookup.js';

const API = '/api/v1';

const TargetGroupsSchema = Type.Array(
  Type.Object({
    targets: Type.Array(Type.String(), { description: 'host:port' }),
    labels: Type.Record(Type.String(), Type.String(), { description: '__metrics_path__, stack, service, instance, tutti_revision' }),
  }),
);

const Figure = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });
const FigureProps = {
  cpuPercent: Figure('percent of one core, over the window'),
  memoryBytes: Figure('resident memory, latest sample'),
  requestsPerSecond: Figure('through the stable endpoint, over the window'),
  p99Seconds: Figure('99th percentile request duration, over the window'),
  errorRatio: Figure('5xx and unanswered / all requests, over the window'),
  restarts: Type.Number(),
};

const TopSchema = Type.Object({
  stack: Type.String(),
  time: Type.Number({ description: 'ms since epoch' }),
  windowMs: Type.Number(),
  health: Type.Number(),
  services: Type.Array(
    Type.Object({
      service: Type.String(),
      ready: Type.Number(),
      desired: Type.Number(),
      ...FigureProps,
      instances: Type.Array(Type.Object({ service: Type.String(), instance: Type.String(), state: Type.String(), ready: Type.Boolean(), ...FigureProps })),
    }),
  ),
});

const TopQuerystring = Type.Object({
  service: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'repeat for several services' })),
  window: Type.Optional(Type.String({ description: 'rates and p99 over this much of the past; default 30s' })),
});

function unavailable(): never {
  throw new TuttiError('TUTTI_E_UNAVAILABLE', 'metrics are not available on this control plane', {
    hint: 'the daemon runs without its monitor; start it with `tutti up` or `tutti server`',
  });
}

export const metricsRoutes: ApiPlugin = async (app, { orchestrator, metrics }) => {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Prometheus text exposition of tutti_* metrics and the daemon\'s own (tutti_daemon_*)',
        description: 'Needs a viewer token: in prometheus.yml, `authorization: { credentials_file: .tutti/viewer.token }`.',
      },
    },
    async (_request, reply) => {
      const m = metrics;
      if (!m) unavailable();
      const { contentType, body } = await m.scrape();
      return reply.type(contentType).send(body);
    },
  );

  app.get(
    `${API}/prometheus/targets`,
    {
      schema: {
        tags: ['metrics'],
        summary: 'Prometheus http_sd targets: one group per running instance of each service declaring `metrics:`',
        response: { 200: TargetGroupsSchema },
      },
    },
    async (_request, reply) => {
      const m = metrics;
      if (!m) unavailable();
      return m.targets();
    },
  );

  app.get(
    `${API}/top`,
    {
      schema: {
        tags: ['metrics'],
        summary: 'Per service and instance: ready, CPU, memory, req/s, p99 latency, error ratio and restarts over the last window',
        querystring: TopQuerystring,
        response: { 200: TopSchema },
        errors: [400, 404],
      },
    },
    async (request, reply) => {
      const m = metrics;
      if (!m) unavailable();
      const { service, window } = request.query as { service?: string[]; window?: string };
      const status = requireStack(orchestrator);
      for (const s of service ?? []) requireService(status, s);
      let windowMs: number | undefined;
      if (window !== undefined) {
        windowMs = parseDuration(window);
        if (windowMs === undefined || windowMs < 1000) {
          throw new TuttiError('TUTTI_E_BAD_REQUEST', `invalid request: querystring.window ${JSON.stringify(window)} is not a duration of a second or more`, {
            hint: 'use a duration such as 30s or 1m',
            details: { field: 'querystring.window' },
          });
        }
      }
      const view = await m.top({ ...(service && { services: service }), ...(windowMs !== undefined && { windowMs }) });
      // the stack went down between the two looks
      if (!view) throw new TuttiError('TUTTI_E_NO_STACK', 'no stack is applied to this control plane', { hint: 'run `tutti up` first' });
      return view;
    },
  );
};
