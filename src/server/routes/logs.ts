// Log lines of the stack, merged in time order: a JSON page, or with follow=true a
// server-sent event stream (the tail first, then live lines) that ends when the client goes
// away, at which point the orchestrator's log iterator is aborted so nothing is left reading.
// The filters (time window, grep, level) are checked here and applied by the runtime.

import { Type } from '@sinclair/typebox';
import { TuttiError, parseDuration, type LogLine } from '../../core/index.js';
import type { LogQuery } from '../../runtime/contract.js';
import { LOG_LEVELS, parseGrep } from '../../runtime/log-query.js';
import type { ApiPlugin, ControlledOrchestrator } from '../plugin-types.js';
import { LogLineSchema, Ref, StringEnum } from '../schemas/index.js';
import { requireService } from './lookup.js';

const LogsQuerystring = Type.Object({
  service: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'repeat for several services' })),
  instance: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'repeat for several instances' })),
  since: Type.Optional(Type.String({ description: 'only lines written at or after this: ms since epoch, an ISO time, or a duration back from now (10m, 1h)' })),
  until: Type.Optional(Type.String({ description: 'only lines written at or before this: ms since epoch, an ISO time, or a duration back from now' })),
  grep: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'only lines containing this text, or matching `/regex/flags`: tried on the line as written and, for a JSON line, on its parsed message',
    }),
  ),
  level: Type.Optional(
    StringEnum(LOG_LEVELS, { description: 'only JSON lines (pino, bunyan, winston) of this level or above; lines without a level are left out' }),
  ),
  tail: Type.Optional(Type.Integer({ minimum: 0, description: 'only the last N lines of the merged stream, after the filters' })),
  follow: Type.Optional(Type.Boolean({ default: false, description: 'stream new lines as server-sent events' })),
});

/** `since` as ms since epoch: a bare integer is a time, anything else a duration or an ISO time. */
export function parseSince(text: string, now = Date.now()): number {
  return parseTime('since', text, now);
}

/** `since` or `until` as ms since epoch. */
export function parseTime(field: 'since' | 'until', text: string, now = Date.now()): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const back = parseDuration(t);
  if (back !== undefined) return now - back;
  const at = Date.parse(t);
  if (!Number.isNaN(at)) return at;
  throw new TuttiError('TUTTI_E_BAD_REQUEST', `invalid request: querystring.${field} ${JSON.stringify(text)} is neither a time nor a duration`, {
    hint: 'use ms since epoch, an ISO time such as 2026-01-31T12:00:00Z, or a duration such as 10m',
    details: { field: `querystring.${field}` },
  });
}

/** Refuses a grep pattern that is not a valid regular expression before anything is read. */
function checkGrep(pattern: string): void {
  parseGrep(pattern, { label: 'invalid request: querystring.grep', field: 'querystring.grep' });
}

function checkServices(orchestrator: ControlledOrchestrator, services: string[] | undefined): void {
  const status = orchestrator.status();
  // without a stack the runtime may still hold logs of services that were taken down
  // `workflow:<name>` is a workflow's runs log (src/workflow/service/run-log.ts), not a service
  if (status) for (const s of services ?? []) if (!s.startsWith('workflow:')) requireService(status, s);
}

export const logRoutes: ApiPlugin = async (app, { orchestrator, sse }) => {
  app.get(
    '/logs',
    {
      schema: {
        tags: ['logs'],
        summary: 'Log lines of services or instances, merged in time order',
        description:
          'Without follow: `{ lines }`. With follow=true: server-sent events `event: log`, `data: <LogLine>`, ' +
          'starting with the tail, until the client disconnects; a failure ends the stream with `event: error`, `data: <Error>`.',
        querystring: LogsQuerystring,
        response: {
          200: {
            description: 'log lines',
            content: {
              'application/json': { schema: Type.Object({ lines: Type.Array(Ref(LogLineSchema)) }) },
              'text/event-stream': { schema: Ref(LogLineSchema) },
            },
          },
        },
        errors: [400, 404],
      },
    },
    async (request, reply) => {
      const q = request.query;
      checkServices(orchestrator, q.service);
      const query: LogQuery = { services: q.service, instances: q.instance, tail: q.tail, follow: q.follow === true };
      if (q.since !== undefined) query.sinceMs = parseTime('since', q.since);
      if (q.until !== undefined) query.untilMs = parseTime('until', q.until);
      if (q.grep !== undefined) {
        checkGrep(q.grep);
        query.grep = q.grep;
      }
      if (q.level !== undefined) query.level = q.level;

      if (!query.follow) {
        const abort = new AbortController();
        const gone = () => abort.abort();
        reply.raw.once('close', gone);
        const lines: LogLine[] = [];
        try {
          for await (const line of orchestrator.logs(query, abort.signal)) lines.push(line);
        } finally {
          reply.raw.off('close', gone);
        }
        return reply.type('application/json; charset=utf-8').send({ lines });
      }

      const stream = sse.start(request, reply);
      try {
        for await (const line of orchestrator.logs(query, stream.signal)) {
          if (stream.closed) break;
          if (!stream.send({ event: 'log', data: line })) await stream.drained();
        }
      } catch (err) {
        if (!stream.closed) {
          request.log.warn({ err }, 'log stream failed');
          const error = err instanceof TuttiError ? err : new TuttiError('TUTTI_E_INTERNAL', 'the log stream failed');
          stream.send({ event: 'error', data: error.toJSON() });
        }
      } finally {
        stream.close();
      }
    },
  );
};
