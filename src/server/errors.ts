// One error shape for every failure: `{ code, message, hint?, details? }` with the code's HTTP
// status. TuttiErrors pass through; validation errors name the field; Fastify's own client
// errors become TUTTI_E_BAD_REQUEST; anything else is a 500 without internals (logged here).

import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { TuttiError, isTuttiError } from '../core/index.js';
import { global } from './plugin-types.js';

const SCHEMA_HINT = 'the request schemas are in GET /api/v1/openapi.json';

interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** `body.spec.services.orders.replicas` from Fastify's validation context and Ajv's path. */
function fieldOf(context: string | undefined, e: AjvError): string {
  const parts = (e.instancePath ?? '').split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const extra = e.params?.missingProperty ?? e.params?.additionalProperty;
  if (typeof extra === 'string') parts.push(extra);
  return [context ?? 'request', ...parts].join('.');
}

function validationError(error: FastifyError): TuttiError {
  const first = (error.validation?.[0] ?? {}) as AjvError;
  const field = fieldOf(error.validationContext, first);
  let what = first.message ?? 'is invalid';
  if (first.keyword === 'required') what = 'is required';
  else if (first.keyword === 'additionalProperties') what = 'is not a known field';
  else if (first.keyword === 'enum' && Array.isArray(first.params?.allowedValues)) {
    what = `must be one of ${(first.params.allowedValues as unknown[]).join(', ')}`;
  }
  return new TuttiError('TUTTI_E_BAD_REQUEST', `invalid request: ${field} ${what}`, {
    hint: SCHEMA_HINT,
    details: { field },
  });
}

/** What an error becomes on the wire. */
export function toHttpError(error: unknown, request?: FastifyRequest): { status: number; error: TuttiError } {
  if (isTuttiError(error)) return { status: error.status, error };
  const fe = error as Partial<FastifyError>;
  if (fe && Array.isArray(fe.validation)) return { status: 400, error: validationError(fe as FastifyError) };
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    return { status, error: new TuttiError('TUTTI_E_BAD_REQUEST', fe.message ?? 'bad request', { hint: SCHEMA_HINT }) };
  }
  request?.log.error({ err: error }, 'request failed');
  return {
    status: 500,
    error: new TuttiError('TUTTI_E_INTERNAL', 'the control plane failed to handle this request', {
      hint: 'see the daemon log (.tutti/daemon.log) for the cause',
    }),
  };
}

async function errors(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err, request, reply) => {
    const { status, error } = toHttpError(err, request);
    if (status < 500) request.log.info({ code: error.code, status }, error.message);
    return reply.code(status).type('application/json; charset=utf-8').send(error.toJSON());
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const error = new TuttiError('TUTTI_E_NOT_FOUND', `no such endpoint: ${request.method} ${path}`, {
      hint: 'the API is described at GET /api/v1/openapi.json',
    });
    return reply.code(404).send(error.toJSON());
  });
}

export const errorsPlugin = global(errors, 'tutti-errors');
