// Workflow runs: list them (filters and a cursor), one run with its tasks, cancel, suspend and
// resume, and a server-sent event stream of one run's task events and status changes.

import { Type } from '@sinclair/typebox';
import { TERMINAL_RUN_STATUSES, type WorkflowRunQuery } from '../../store/index.js';
import type { RunWatchEvent } from '../../workflow/service/index.js';
import type { ApiPlugin } from '../plugin-types.js';
import { StringEnum } from '../schemas/index.js';
import { parseTime } from './logs.js';
import { RUN_STATUSES, RunDetailSchema, RunSummarySchema, WorkflowErrorSchema } from './workflows.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, description: 'run id' }) });
const RunReply = Type.Object({ run: RunSummarySchema });

const TaskEventSchema = Type.Object({
  run: Type.String(),
  key: Type.Optional(Type.String({ description: 'the occurrence key, as in the run detail' })),
  type: StringEnum(['started', 'completed', 'faulted'] as const),
  pointer: Type.String(),
  name: Type.String(),
  time: Type.String({ description: 'ISO 8601' }),
  loop: Type.Optional(Type.Array(Type.Integer())),
  input: Type.Optional(Type.Unknown()),
  output: Type.Optional(Type.Unknown()),
  error: Type.Optional(WorkflowErrorSchema),
});

const isTerminal = (status: string) => (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);

export const runRoutes: ApiPlugin = async (app, { workflows: maybe, sse }) => {
  if (!maybe) return;
  const workflows = maybe;

  app.get(
    '/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Workflow runs, newest first',
        description: 'When `next` is in the answer more runs may follow: pass it as `before` for the next page.',
        querystring: Type.Object({
          workflow: Type.Optional(Type.String({ minLength: 1, description: 'only runs of this workflow' })),
          status: Type.Optional(StringEnum(RUN_STATUSES, { description: 'only runs with this status' })),
          since: Type.Optional(Type.String({ description: 'started at or after: ms since epoch, an ISO time, or a duration back from now (1h)' })),
          until: Type.Optional(Type.String({ description: 'started before: ms since epoch, an ISO time, or a duration back from now' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          before: Type.Optional(Type.String({ minLength: 1, description: 'the `next` cursor of the previous page' })),
        }),
        response: { 200: Type.Object({ runs: Type.Array(RunSummarySchema), next: Type.Optional(Type.String()) }) },
        errors: [400],
      },
    },
    async (request) => {
      const q = request.query;
      const query: WorkflowRunQuery = { workflow: q.workflow, status: q.status, limit: q.limit, before: q.before };
      if (q.since !== undefined) query.since = parseTime('since', q.since);
      if (q.until !== undefined) query.until = parseTime('until', q.until);
      return workflows.listRuns(query);
    },
  );

  app.get(
    '/runs/:id',
    {
      schema: {
        tags: ['runs'],
        summary: 'One run with its task occurrences, position and $context',
        params: IdParams,
        response: { 200: Type.Object({ run: RunDetailSchema }) },
        errors: [404],
      },
    },
    async (request) => ({ run: await workflows.getRun(request.params.id) }),
  );

  const action = (name: 'cancel' | 'suspend' | 'resume', summary: string) =>
    app.post(
      `/runs/:id/${name}`,
      {
        schema: { tags: ['runs'], summary, params: IdParams, response: { 200: RunReply }, errors: [403, 404, 409] },
      },
      async (request) => ({ run: await workflows[name](request.params.id) }),
    );
  action('cancel', 'Cancel a run for good (what is in flight is aborted); 409 once it has ended');
  action('suspend', 'Suspend a running run where it is; 409 unless it is running');
  action('resume', 'Resume a suspended run from where it stopped; 409 unless it is suspended');

  app.get(
    '/runs/:id/watch',
    {
      schema: {
        tags: ['runs'],
        summary: "Follow a run: its task events and status changes (server-sent events)",
        description:
          'Starts with `event: run`, `data: <RunSummary>` (the run now), then `event: task`, `data: <TaskEvent>` for each task ' +
          'started, completed or faulted, and `event: run` on each status change. The stream ends after a terminal status ' +
          '(completed, faulted, cancelled); a suspended run keeps it open until it is resumed and ends.',
        params: IdParams,
        response: {
          200: {
            description: 'event stream',
            content: { 'text/event-stream': { schema: Type.Union([RunSummarySchema, TaskEventSchema]) } },
          },
        },
        errors: [404],
      },
    },
    async (request, reply) => {
      let deliver: ((e: RunWatchEvent) => void) | undefined;
      const early: RunWatchEvent[] = [];
      // subscribing answers a 404 (as JSON) before the stream starts
      const unsubscribe = await workflows.watch(request.params.id, (e) => (deliver ? deliver(e) : early.push(e)));
      const stream = sse.start(request, reply);
      stream.signal.addEventListener('abort', unsubscribe, { once: true });
      deliver = (e) => {
        if (stream.closed) return;
        stream.send({ event: e.event, data: e.data });
        if (e.event === 'run' && isTerminal(e.data.status)) {
          unsubscribe();
          // after what was written has gone out
          void stream.drained().then(() => stream.close());
          deliver = () => {};
        }
      };
      for (const e of early.splice(0)) deliver(e);
      if (stream.signal.aborted) unsubscribe();
    },
  );
};
