// Operations: their state, and their progress as a server-sent event stream that replays what
// happened so far, goes on live, and ends after the 'complete' event.

import { Type } from '@sinclair/typebox';
import { TuttiError } from '../../core/index.js';
import type { OperationEvent } from '../../orchestrator/types.js';
import type { ApiPlugin } from '../plugin-types.js';
import { OperationEventSchema, OperationInfoSchema, Ref } from '../schemas/index.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1 }) });

function unknownOperation(id: string): TuttiError {
  return new TuttiError('TUTTI_E_NOT_FOUND', `no operation with id ${id}`, {
    hint: 'operations are kept in memory by the daemon that ran them; finished ones are forgotten after a while',
  });
}

export const operationRoutes: ApiPlugin = async (app, { orchestrator, sse }) => {
  app.get(
    '/operations/:id',
    {
      schema: {
        tags: ['operations'],
        summary: 'State and events of an operation so far',
        params: IdParams,
        response: { 200: Ref(OperationInfoSchema) },
        errors: [404],
      },
    },
    async (request) => {
      const op = orchestrator.operation(request.params.id);
      if (!op) throw unknownOperation(request.params.id);
      return op;
    },
  );

  app.get(
    '/operations/:id/events',
    {
      schema: {
        tags: ['operations'],
        summary: 'Follow an operation (server-sent events)',
        description:
          "Each SSE event is `event: operation`, `id: <seq>`, `data: <OperationEvent>`. Past events are replayed first " +
          "(after `Last-Event-ID` when the header is sent), then live ones; the stream ends after phase 'complete'. " +
          'A failure ends the stream with `event: error`, `data: <Error>`.',
        params: IdParams,
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String()) }),
        response: {
          200: { description: 'event stream', content: { 'text/event-stream': { schema: Ref(OperationEventSchema) } } },
        },
        errors: [404],
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!orchestrator.operation(id)) throw unknownOperation(id);
      const after = Number(request.headers['last-event-id'] ?? 0) || 0;

      const stream = sse.start(request, reply);
      let finished = false;
      let unsubscribe: (() => void) | undefined;
      const onEvent = (e: OperationEvent) => {
        if (finished) return;
        if (e.seq > after) stream.send({ id: e.seq, event: 'operation', data: e });
        if (e.phase === 'complete') {
          finished = true;
          unsubscribe?.();
          stream.close();
        }
      };
      try {
        // followOperation replays synchronously, so the operation may already be complete here
        unsubscribe = orchestrator.followOperation(id, onEvent);
      } catch (err) {
        request.log.error({ err }, 'following an operation failed');
        const error = err instanceof TuttiError ? err : new TuttiError('TUTTI_E_INTERNAL', `following operation ${id} failed`);
        stream.send({ event: 'error', data: error.toJSON() });
        stream.close();
        return;
      }
      if (finished) unsubscribe();
      else stream.signal.addEventListener('abort', () => unsubscribe?.(), { once: true });
    },
  );
};
