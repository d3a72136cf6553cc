// Instances of every service (or of one), optionally with CPU and memory.

import { Type } from '@sinclair/typebox';
import type { ApiPlugin } from '../plugin-types.js';
import { InstanceListSchema } from '../schemas/index.js';
import { requireService, requireStack, withStats } from './lookup.js';

export const instanceRoutes: ApiPlugin = async (app, { orchestrator }) => {
  app.get(
    '/instances',
    {
      schema: {
        tags: ['instances'],
        summary: 'Instances of every service, or of one',
        querystring: Type.Object({
          service: Type.Optional(Type.String({ minLength: 1, description: 'only this service' })),
          stats: Type.Optional(Type.Boolean({ default: false, description: 'add CPU and memory of each instance' })),
        }),
        response: { 200: InstanceListSchema },
        errors: [404],
      },
    },
    async (request) => {
      const status = requireStack(orchestrator);
      const { service, stats } = request.query;
      if (service !== undefined) requireService(status, service);
      const instances = service === undefined ? status.instances : status.instances.filter((i) => i.service === service);
      return { instances: stats ? await withStats(orchestrator, instances) : instances };
    },
  );
};
