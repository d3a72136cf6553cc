// Alert rules with their state and alerts, and the built-in series they are evaluated
// against. Both read the monitor, which runs while a stack is applied (with or without rules);
// without it there are no rules and no series.

import { Type } from '@sinclair/typebox';
import { TuttiError, parseDuration } from '../../core/index.js';
import type { ApiPlugin } from '../plugin-types.js';
import { parseTime } from './logs.js';

const LabelsSchema = Type.Record(Type.String(), Type.String());

const AlertSchema = Type.Object({
  rule: Type.String(),
  state: Type.String({ description: 'pending, firing or resolved' }),
  labels: LabelsSchema,
  annotations: LabelsSchema,
  fingerprint: Type.String(),
  activeAt: Type.Number({ description: 'ms since epoch' }),
  firedAt: Type.Optional(Type.Number()),
  resolvedAt: Type.Optional(Type.Number()),
  value: Type.Number(),
});

const AlertsResponse = Type.Object({
  intervalMs: Type.Number({ description: 'evaluation interval (0 while no rules run)' }),
  rules: Type.Array(
    Type.Object({
      name: Type.String(),
      when: Type.String(),
      forMs: Type.Number(),
      state: Type.String({ description: 'inactive, pending or firing' }),
      labels: LabelsSchema,
      annotations: LabelsSchema,
      lastEvaluation: Type.Optional(Type.Number()),
      lastError: Type.Optional(Type.String()),
      alerts: Type.Array(AlertSchema),
    }),
  ),
});

const SeriesQuerystring = Type.Object(
  {
    metric: Type.String({ minLength: 1, description: 'metric name, e.g. tutti_service_ready_instances' }),
    start: Type.Optional(Type.String({ description: 'ms since epoch, an ISO time, or a duration back from now; default 1h' })),
    end: Type.Optional(Type.String({ description: 'as start; default now' })),
    step: Type.Optional(Type.String({ description: 'one point per step (e.g. 15s); default every stored point' })),
  },
  { patternProperties: { '^label\\.': Type.String() }, additionalProperties: false, description: '`label.<name>=<value>` filters by label' },
);

const SeriesResponse = Type.Object({
  series: Type.Array(
    Type.Object({ labels: LabelsSchema, points: Type.Array(Type.Object({ t: Type.Number(), v: Type.Number() })) }),
  ),
});

export const alertRoutes: ApiPlugin = async (app, { monitor }) => {
  app.get(
    '/alerts',
    { schema: { tags: ['alerts'], summary: 'Alert rules with their state and alerts', response: { 200: AlertsResponse } } },
    async () => monitor?.()?.alerts() ?? { intervalMs: 0, rules: [] },
  );

  app.get(
    '/series',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Points of one built-in metric over a time range',
        querystring: SeriesQuerystring,
        response: { 200: SeriesResponse },
        errors: [400],
      },
    },
    async (request) => {
      const q = request.query as Record<string, string>;
      const now = Date.now();
      const endMs = q.end === undefined ? now : parseTime('until', q.end, now);
      const startMs = q.start === undefined ? endMs - 3_600_000 : parseTime('since', q.start, now);
      let stepMs: number | undefined;
      if (q.step !== undefined) {
        stepMs = parseDuration(q.step);
        if (stepMs === undefined || stepMs <= 0) {
          throw new TuttiError('TUTTI_E_BAD_REQUEST', `invalid request: querystring.step ${JSON.stringify(q.step)} is not a duration`, {
            hint: 'use a duration such as 15s or 1m',
            details: { field: 'querystring.step' },
          });
        }
      }
      if (startMs > endMs) {
        throw new TuttiError('TUTTI_E_BAD_REQUEST', 'invalid request: querystring.start is after querystring.end', {
          hint: 'give a start before the end',
          details: { field: 'querystring.start' },
        });
      }
      const labels = Object.fromEntries(Object.entries(q).filter(([k]) => k.startsWith('label.')).map(([k, v]) => [k.slice(6), v]));
      const series = monitor?.()?.series({ metric: q.metric, labels, startMs, endMs, ...(stepMs !== undefined && { stepMs }) }) ?? [];
      return { series };
    },
  );
};
