// The stack as a whole: its status, applying a manifest, taking it down.

import { Type } from '@sinclair/typebox';
import type { ApiPlugin } from '../plugin-types.js';
import { OperationInfoSchema, Ref, StackSpecSchema, StackStatusSchema } from '../schemas/index.js';
import { requireStack, withStats } from './lookup.js';

export const stackRoutes: ApiPlugin = async (app, { orchestrator }) => {
  app.get(
    '/stack',
    {
      schema: {
        tags: ['stack'],
        summary: 'Status of the stack, its services and instances',
        querystring: Type.Object({
          stats: Type.Optional(Type.Boolean({ default: false, description: 'add CPU and memory of each instance' })),
        }),
        response: { 200: Ref(StackStatusSchema) },
        errors: [404],
      },
    },
    async (request) => {
      const status = requireStack(orchestrator);
      if (!request.query.stats) return status;
      return { ...status, instances: await withStats(orchestrator, status.instances) };
    },
  );

  app.put(
    '/stack',
    {
      schema: {
        tags: ['stack'],
        summary: 'Apply a compiled manifest; only what changed is redeployed',
        description: 'Starts an operation; follow it at /api/v1/operations/{id}/events.',
        body: Type.Object({ spec: Ref(StackSpecSchema) }),
        response: { 202: Ref(OperationInfoSchema) },
        errors: [400, 403, 409],
      },
    },
    async (request, reply) => reply.code(202).send(await orchestrator.apply(request.body.spec)),
  );

  app.delete(
    '/stack',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['stack'],
        summary: 'Stop every service in reverse dependency order and forget the stack',
        response: { 202: Ref(OperationInfoSchema) },
        errors: [403, 404],
      },
    },
    async (_request, reply) => reply.code(202).send(await orchestrator.down()),
  );
};
