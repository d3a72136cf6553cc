// Deployed workflow definitions (Serverless Workflow DSL 1.0, docs/workflows.md): list them,
// deploy one (validated: every problem named with file:line:col and JSON pointer), read one
// version back, and start a run. The schemas of runs are here too (runs.ts uses them).

import { Type } from '@sinclair/typebox';
import type { ApiPlugin } from '../plugin-types.js';
import { StringEnum } from '../schemas/index.js';

export const RUN_STATUSES = ['running', 'completed', 'faulted', 'cancelled', 'suspended'] as const;

const Ms = (description: string) => Type.Number({ description: `${description}, ms since epoch` });

export const WorkflowSummarySchema = Type.Object({
  name: Type.String(),
  version: Type.String({ description: 'the latest deployed version' }),
  versions: Type.Array(Type.String(), { description: 'every deployed version, newest first' }),
  namespace: Type.String(),
  title: Type.Optional(Type.String()),
  summary: Type.Optional(Type.String()),
  createdAt: Ms('when the latest version was deployed'),
  origin: StringEnum(['manifest', 'api'] as const, { description: "the manifest's `workflows:` or the API" }),
});

export const WorkflowErrorSchema = Type.Object(
  {
    type: Type.String({ description: 'e.g. https://serverlessworkflow.io/spec/1.0.0/errors/communication' }),
    status: Type.Number(),
    instance: Type.Optional(Type.String({ description: 'JSON pointer of the task that raised it' })),
    title: Type.Optional(Type.String()),
    detail: Type.Optional(Type.String()),
  },
  { description: 'a Serverless Workflow error (RFC 7807 problem details)' },
);

export const RunSummarySchema = Type.Object({
  id: Type.String(),
  workflow: Type.String(),
  version: Type.String(),
  status: StringEnum(RUN_STATUSES),
  input: Type.Unknown(),
  output: Type.Optional(Type.Unknown()),
  error: Type.Optional(WorkflowErrorSchema),
  createdAt: Ms('when the run was started'),
  updatedAt: Ms('its last transition'),
  endedAt: Type.Optional(Ms('when it completed, faulted or was cancelled')),
});

const LoopSchema = Type.Array(Type.Integer({ minimum: 0 }), { description: 'indices of the enclosing for loops, outermost first' });

export const RunTaskSchema = Type.Object({
  key: Type.String({ description: 'occurrence key: <pointer>[:<loop index>…]#<n>' }),
  pointer: Type.String({ description: 'e.g. /do/0/reserveStock' }),
  name: Type.String(),
  loop: Type.Optional(LoopSchema),
  status: StringEnum(['running', 'completed', 'faulted', 'cancelled'] as const, { description: 'cancelled: interrupted (run cancelled or suspended, a fork branch lost)' }),
  startedAt: Ms('started'),
  endedAt: Type.Optional(Ms('ended')),
  input: Type.Optional(Type.Unknown()),
  output: Type.Optional(Type.Unknown()),
  flow: Type.Optional(Type.String({ description: 'the flow directive it resolved to' })),
  ended: Type.Optional(Type.Boolean({ description: '`then: end` was reached inside it' })),
  context: Type.Optional(Type.Unknown()),
  error: Type.Optional(WorkflowErrorSchema),
  retries: Type.Optional(Type.Integer()),
});

export const RunDetailSchema = Type.Composite([
  RunSummarySchema,
  Type.Object({
    tasks: Type.Array(RunTaskSchema, { description: 'every task occurrence so far, by start time' }),
    position: Type.Optional(Type.Object({ pointer: Type.String(), loop: Type.Optional(LoopSchema) }, { description: 'the task last started' })),
    context: Type.Unknown({ description: '$context now' }),
    timers: Type.Optional(Type.Record(Type.String(), Type.Number(), { description: 'durable timers (waits, retry delays, timeouts) by key: deadline in ms since epoch' })),
  }),
]);

const NameParams = Type.Object({ name: Type.String({ minLength: 1, description: 'workflow name (document.name)' }) });

export const workflowRoutes: ApiPlugin = async (app, { workflows: maybe }) => {
  if (!maybe) return;
  const workflows = maybe;

  app.get(
    '/workflows',
    {
      schema: {
        tags: ['workflows'],
        summary: 'Deployed workflow definitions, one entry per name with its versions',
        response: { 200: Type.Object({ workflows: Type.Array(WorkflowSummarySchema) }) },
      },
    },
    async () => ({ workflows: await workflows.listWorkflows() }),
  );

  app.post(
    '/workflows',
    {
      schema: {
        tags: ['workflows'],
        summary: 'Deploy a workflow definition (YAML or JSON text)',
        description:
          'The document is validated against the DSL 1.0 schema and checked (task references, expressions, schedule); ' +
          'a 400 lists every problem as `file:line:col pointer: message` in `details.problems`. Deploying the same ' +
          'name and version again with the same text changes nothing (`created: false`); with another text it is a 409.',
        body: Type.Object(
          {
            source: Type.String({ minLength: 1, description: 'the document, YAML or JSON' }),
            file: Type.Optional(Type.String({ minLength: 1, description: 'its file name, used in problem messages' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ name: Type.String(), version: Type.String(), created: Type.Boolean() }) },
        errors: [400, 403, 409],
      },
    },
    async (request, reply) => reply.code(201).send(await workflows.deploy({ source: request.body.source, file: request.body.file }, 'api')),
  );

  app.get(
    '/workflows/:name',
    {
      schema: {
        tags: ['workflows'],
        summary: 'One version of a workflow definition (default the latest), with its text as deployed',
        params: NameParams,
        querystring: Type.Object({ version: Type.Optional(Type.String({ minLength: 1 })) }),
        response: {
          200: Type.Object({
            name: Type.String(),
            version: Type.String(),
            versions: Type.Array(Type.String(), { description: 'newest first' }),
            namespace: Type.String(),
            source: Type.String(),
            document: Type.Record(Type.String(), Type.Unknown()),
          }),
        },
        errors: [404],
      },
    },
    async (request) => workflows.getWorkflow(request.params.name, request.query.version),
  );

  app.post(
    '/workflows/:name/runs',
    {
      schema: {
        tags: ['workflows'],
        summary: 'Start a run of the workflow (default its latest version)',
        description: 'The run is stored before this answers; follow it with GET /api/v1/runs/{id}/watch.',
        params: NameParams,
        body: Type.Object(
          {
            input: Type.Optional(Type.Unknown({ description: 'the workflow input (default {})' })),
            version: Type.Optional(Type.String({ minLength: 1 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ run: RunSummarySchema }) },
        errors: [400, 403, 404],
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const run = await workflows.startRun(request.params.name, request.body.input, request.body.version);
      return reply.code(201).send({ run });
    },
  );
};
