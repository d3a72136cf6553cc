// The stack's event history (deploys, instance starts and exits, restarts, alert changes) and
// one event stream of everything the dashboard's overview shows, kept current: the status,
// `tutti top`'s figures, the alert rules and new history events (see stack-feed.ts).

import { Type } from '@sinclair/typebox';
import { TuttiError } from '../../core/index.js';
import type { ApiDeps, ApiPlugin } from '../plugin-types.js';
import type { SseStream } from '../sse.js';
import type { EventHistory, FeedMessage, StackFeed } from './stack-feed.js';

const StoredEventSchema = Type.Object({
  id: Type.Integer({ description: 'increasing, never reused' }),
  time: Type.Number({ description: 'ms since epoch' }),
  kind: Type.String({ description: 'e.g. operation.restart, instance.exited, alert.firing' }),
  service: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()),
  message: Type.String(),
});

/** messages queued for a client that does not read before its stream is ended (it reconnects
 *  and starts again from the current state) */
const MAX_BEHIND = 50;

export interface StackRouteOptions extends ApiDeps {
  history?: EventHistory;
  feed: StackFeed;
}

export const stackWatchRoutes: ApiPlugin<StackRouteOptions> = async (app, { history, feed, sse }) => {
  app.get(
    '/stack/events',
    {
      schema: {
        tags: ['stack'],
        summary: 'The event history: operations, instance changes, alert state changes',
        querystring: Type.Object({
          after: Type.Optional(Type.Integer({ minimum: 0, description: 'only events after this id, oldest first' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'at most this many (the newest, without after)' })),
          kind: Type.Optional(Type.String({ minLength: 1, description: 'only kinds starting with this, e.g. alert.' })),
        }),
        response: { 200: Type.Object({ events: Type.Array(StoredEventSchema, { description: 'oldest first' }) }) },
        errors: [400],
      },
    },
    async (request) => {
      if (!history) {
        throw new TuttiError('TUTTI_E_UNAVAILABLE', 'this control plane keeps no event history', { hint: 'the daemon started by `tutti up` keeps one in .tutti/state.db' });
      }
      const { after, limit = 100, kind } = request.query;
      // a kind filter reads a larger window, then keeps the newest matches
      const listed = await history.list({ ...(after !== undefined && { sinceId: after }), limit: kind ? 1000 : limit });
      const matching = kind ? listed.filter((e) => e.kind.startsWith(kind)) : listed;
      return { events: after !== undefined ? matching.slice(0, limit) : matching.slice(-limit) };
    },
  );

  app.get(
    '/stack/watch',
    {
      schema: {
        tags: ['stack'],
        summary: 'Follow the stack (server-sent events): status, top figures, alerts and history as they change',
        description:
          'Starts with the current state: `event: stack` (StackStatus, or null without a stack), `event: alerts`, ' +
          '`event: events` (`{ events }`, the recent history) and `event: top` (when metrics run). Then `stack` and `alerts` ' +
          'whenever they change, `event` for each new history event, and `top` every few seconds. A client that falls ' +
          'behind is disconnected; reconnecting starts again from the current state.',
        response: { 200: { description: 'event stream', content: { 'text/event-stream': { schema: Type.Unknown() } } } },
      },
    },
    async (request, reply) => {
      const stream = sse.start(request, reply);
      const send = sender(stream);
      const unsubscribe = await feed.open(send);
      if (stream.closed) unsubscribe();
      else stream.signal.addEventListener('abort', unsubscribe, { once: true });
    },
  );
};

/** Sends in order; a client with too many messages unread is disconnected rather than buffered. */
function sender(stream: SseStream): (m: FeedMessage) => void {
  let behind = 0;
  return (m) => {
    if (stream.closed) return;
    if (behind > MAX_BEHIND) return stream.close();
    if (!stream.send({ event: m.event, data: m.data })) {
      behind += 1;
      if (behind === 1) {
        void stream.drained().then(() => {
          behind = 0;
        });
      }
    }
  };
}
