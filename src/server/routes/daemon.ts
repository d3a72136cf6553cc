// The daemon itself: liveness (no token), version, and shutdown (admin).

import { TuttiError } from '../../core/index.js';
import type { ApiPlugin } from '../plugin-types.js';
import { HealthzSchema, ShutdownBodySchema, ShutdownReplySchema, VersionSchema } from '../schemas/index.js';

export interface DaemonOptions {
  version: string;
  /** where the stack's services run */
  runtime?: { name: 'process' | 'kubernetes'; context?: string; namespace?: string };
  onShutdown?: (opts: { stopStack: boolean }) => void;
}

/** `GET /healthz`, outside `/api/v1`: answers without a token and reveals nothing. */
export const healthRoutes: ApiPlugin<object> = async (app) => {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: { tags: ['daemon'], summary: 'Liveness probe (no token needed)', security: [], response: { 200: HealthzSchema } },
    },
    async () => ({ status: 'ok' as const }),
  );
};

export const daemonRoutes: ApiPlugin<DaemonOptions> = async (app, opts) => {
  app.get(
    '/version',
    { schema: { tags: ['daemon'], summary: 'Version of the control plane', response: { 200: VersionSchema } } },
    async () => ({ version: opts.version, api: 'v1' as const, node: process.version, ...(opts.runtime && { runtime: opts.runtime }) }),
  );

  app.post(
    '/daemon/shutdown',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['daemon'],
        summary: 'Stop the control plane (and, with stopStack, every service first)',
        description: 'Answers 202 at once; the daemon exits after the answer is sent. Without stopStack, instances keep running and the next daemon adopts them.',
        body: ShutdownBodySchema,
        response: { 202: ShutdownReplySchema },
        errors: [400, 403, 409],
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
      // only once the 202 is on the wire, so the caller always learns the request was accepted
      onResponse: async (request, reply) => {
        if (reply.statusCode !== 202 || !opts.onShutdown) return;
        const stopStack = (request.body as { stopStack?: boolean }).stopStack === true;
        try {
          opts.onShutdown({ stopStack });
        } catch (err) {
          request.log.error({ err }, 'shutdown handler failed');
        }
      },
    },
    async (request, reply) => {
      if (!opts.onShutdown) {
        throw new TuttiError('TUTTI_E_CONFLICT', 'this control plane does not accept shutdown requests', {
          hint: 'stop the process that runs it (it was started without a shutdown handler)',
        });
      }
      return reply.code(202).send({ accepted: true as const, stopStack: request.body.stopStack === true });
    },
  );
};
