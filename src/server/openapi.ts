// The OpenAPI 3 document, built by @fastify/swagger from the route schemas, served at
// `GET /api/v1/openapi.json`. Shared schemas appear under `components.schemas` by their $id.

import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { ErrorSchema, Ref, sharedSchemas } from './schemas/index.js';

declare module 'fastify' {
  interface FastifySchema {
    /** HTTP statuses of the route's error answers besides 401 and 500; documentation only */
    errors?: readonly number[];
  }
}

const ERROR_MEANING: Record<number, string> = {
  400: 'invalid request (the message names the field)',
  401: 'missing or unknown bearer token',
  403: "the token's role does not allow this",
  404: 'no such stack, service, operation or endpoint',
  409: 'conflicts with the current state',
  500: 'the control plane failed (details in its log)',
};

/**
 * Adds the error answers to a route's documented responses. They are kept out of the route's
 * real `response` so Fastify does not compile a serializer per route and status for a shape
 * that TuttiError.toJSON already produces (that halves the time to build the app).
 */
export function documentErrors(schema: FastifySchema | undefined): FastifySchema | undefined {
  if (!schema || schema.hide) return schema;
  const { errors, ...rest } = schema;
  const isPublic = Array.isArray(rest.security) && rest.security.length === 0;
  const statuses = [...(isPublic ? [] : [401]), ...(errors ?? []), 500];
  const response: Record<string, unknown> = { ...(rest.response as Record<string, unknown> | undefined) };
  for (const status of statuses) response[status] ??= { ...Ref(ErrorSchema), description: ERROR_MEANING[status] ?? 'error' };
  return { ...rest, response };
}

export interface OpenApiOptions {
  version: string;
}

/** Registers the shared schemas and the document generator; call before adding routes. */
export async function registerOpenApi(app: FastifyInstance, opts: OpenApiOptions): Promise<void> {
  for (const schema of sharedSchemas) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'tutti control plane',
        version: opts.version,
        description:
          'Manage a tutti stack: apply manifests, follow operations, inspect services, instances and logs. ' +
          'Every request needs `Authorization: Bearer <token>`; GETs need the viewer role, actions operator, ' +
          'DELETE /api/v1/stack and daemon shutdown admin. Errors are `{ code, message, hint? }`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
      tags: [
        { name: 'stack', description: 'the stack as a whole' },
        { name: 'services', description: 'one service at a time' },
        { name: 'instances', description: 'running instances' },
        { name: 'operations', description: 'tracked changes and their progress' },
        { name: 'logs', description: 'captured output' },
        { name: 'registry', description: 'service discovery: instances, checks, watches' },
        { name: 'metrics', description: 'Prometheus exposition, scrape targets, top' },
        { name: 'alerts', description: 'alert rules and the series they read' },
        { name: 'workflows', description: 'Serverless Workflow definitions: deploy, read, start runs' },
        { name: 'runs', description: 'workflow runs: list, inspect, cancel, suspend, resume, watch' },
        { name: 'events', description: 'CloudEvents into the workflow event bus' },
        { name: 'dashboard', description: "the web dashboard's login and sessions" },
        { name: 'daemon', description: 'the control plane itself' },
      ],
    },
    transform: ({ schema, url }) => ({ schema: documentErrors(schema) as FastifySchema, url }),
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
}

export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
