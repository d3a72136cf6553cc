// One service at a time: status, rolling restart, stop, start, scale.

import { Type } from '@sinclair/typebox';
import type { OperationInfo } from '../../orchestrator/types.js';
import type { ApiPlugin } from '../plugin-types.js';
import { OperationInfoSchema, Ref, ServiceListSchema, ServiceStatusSchema } from '../schemas/index.js';
import { requireService, requireStack } from './lookup.js';

const NameParams = Type.Object({ name: Type.String({ minLength: 1, description: 'service name' }) });
const actionResponse = { 202: Ref(OperationInfoSchema) };
const actionErrors = [400, 403, 404, 409];

export const serviceRoutes: ApiPlugin = async (app, { orchestrator }) => {
  app.get(
    '/services',
    {
      schema: {
        tags: ['services'],
        summary: 'Status of every service, in dependency order',
        response: { 200: ServiceListSchema },
        errors: [404],
      },
    },
    async () => ({ services: requireStack(orchestrator).services }),
  );

  app.get(
    '/services/:name',
    {
      schema: {
        tags: ['services'],
        summary: 'Status of one service',
        params: NameParams,
        response: { 200: Ref(ServiceStatusSchema) },
        errors: [404],
      },
    },
    async (request) => requireService(requireStack(orchestrator), request.params.name),
  );

  const actions: Array<[string, string, (name: string) => Promise<OperationInfo>]> = [
    ['restart', 'Replace every instance, one at a time, health-gated (no downtime)', (n) => orchestrator.restart(n)],
    ['stop', 'Stop every instance of the service until it is started again', (n) => orchestrator.stop(n)],
    ['start', 'Start a stopped service again', (n) => orchestrator.start(n)],
  ];
  for (const [action, summary, run] of actions) {
    app.post(
      `/services/:name/${action}`,
      { schema: { tags: ['services'], summary, params: NameParams, response: actionResponse, errors: actionErrors } },
      async (request, reply) => reply.code(202).send(await run(request.params.name)),
    );
  }

  app.put(
    '/services/:name/scale',
    {
      schema: {
        tags: ['services'],
        summary: 'Run this many instances of the service',
        params: NameParams,
        body: Type.Object({ replicas: Type.Integer({ minimum: 0 }) }),
        response: actionResponse,
        errors: actionErrors,
      },
    },
    async (request, reply) => reply.code(202).send(await orchestrator.scale(request.params.name, request.body.replicas)),
  );
};
