// The service registry's API (docs/discovery.md): services and their instances, with Consul
// style blocking queries (`?index=N&wait=5m`), registration of external instances with their
// check, TTL heartbeats, QoS scores, and a watch stream of changes that resumes from the last
// event id it delivered. Every answer carries `X-Tutti-Index`, the registry's index.

import { Type } from '@sinclair/typebox';
import { DEFAULT_SELECTION, TuttiError, normaliseWeights, parseDuration, type SelectionSpec } from '../../core/index.js';
import type { Registry, RegistryEvent, RegistryInstance } from '../../registry/index.js';
import type { ApiPlugin, ControlledOrchestrator } from '../plugin-types.js';
import type { SseMessage, SseStream } from '../sse.js';
import {
  HeartbeatBodySchema,
  RegisterInputSchema,
  RegistryEventSchema,
  RegistryInstanceListSchema,
  RegistryInstanceSchema,
  ScoresReplySchema,
  ServiceSummaryListSchema,
  WatchResetSchema,
} from '../schemas/index.js';

export const INDEX_HEADER = 'X-Tutti-Index';
export const DEFAULT_WAIT_MS = 5 * 60_000;
export const MAX_WAIT_MS = 10 * 60_000;

const ServiceParams = Type.Object({ service: Type.String({ minLength: 1, description: 'service name' }) });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, description: 'instance id' }) });
const IndexText = (description: string) => Type.String({ description });

function badQuery(field: string, what: string, hint: string): TuttiError {
  return new TuttiError('TUTTI_E_BAD_REQUEST', `invalid request: ${field} ${what}`, { hint, details: { field } });
}

/** A registry index sent by a client: a non-negative integer. */
export function parseIndex(text: string, field: string): number {
  const t = text.trim();
  const value = /^\d{1,15}$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(value)) {
    throw badQuery(field, `${JSON.stringify(text)} is not a registry index (a non-negative integer)`, `send the ${INDEX_HEADER} header of the previous answer`);
  }
  return value;
}

/** How long a blocking query may be held: default 5m, at most 10m (longer waits are shortened, as Consul does). */
export function parseWait(text: string | undefined): number {
  if (text === undefined) return DEFAULT_WAIT_MS;
  const ms = parseDuration(text);
  if (ms === undefined) throw badQuery('querystring.wait', `${JSON.stringify(text)} is not a duration`, 'use e.g. 30s or 5m (at most 10m)');
  return Math.min(ms, MAX_WAIT_MS);
}

/** The service's selection settings from the applied stack; the defaults without one. */
function selectionOf(orchestrator: ControlledOrchestrator, service: string): SelectionSpec {
  const spec = orchestrator.spec();
  return spec?.services[service]?.selection ?? spec?.selection ?? DEFAULT_SELECTION;
}

/** The registry routes; registered by the app only when it has a registry. */
export const registryRoutes: ApiPlugin = async (app, { orchestrator, sse, registry: maybe, dns }) => {
  if (!maybe) return;
  const registry: Registry = maybe;

  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader(INDEX_HEADER)) reply.header(INDEX_HEADER, String(registry.index()));
    return payload;
  });

  app.get(
    '/registry/services',
    {
      schema: {
        tags: ['registry'],
        summary: 'Services of the registry: declared by the stack or with registered instances',
        response: { 200: ServiceSummaryListSchema },
      },
    },
    async (_request, reply) => {
      const index = registry.index();
      reply.header(INDEX_HEADER, String(index));
      return { index, services: registry.services(), dns: dns?.() };
    },
  );

  app.get(
    '/registry/services/:service/instances',
    {
      schema: {
        tags: ['registry'],
        summary: 'Instances of a service; with ?index=, a blocking query held until the service changes',
        description:
          'With `index` (the `X-Tutti-Index` of a previous answer) the answer is held until a change of this service ' +
          'after that index, or until `wait` elapses (default 5m, at most 10m); then it answers the current list.',
        params: ServiceParams,
        querystring: Type.Object({
          healthy: Type.Optional(Type.Boolean({ default: false, description: 'only passing and warning instances' })),
          tag: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'repeat: instances carrying every one of these tags' })),
          index: Type.Optional(IndexText('block until the registry index passes this for the service')),
          wait: Type.Optional(Type.String({ description: 'longest hold of a blocking query: 30s, 5m (default 5m, at most 10m)' })),
        }),
        response: { 200: RegistryInstanceListSchema },
        errors: [400, 404],
      },
    },
    async (request, reply) => {
      const { service } = request.params;
      const q = request.query;
      const since = q.index === undefined ? undefined : parseIndex(q.index, 'querystring.index');
      const waitMs = parseWait(q.wait);
      registry.instances(service); // 404 (with a did-you-mean) before holding anything
      // index 0 means "I have nothing yet": answered at once, as Consul does
      if (since !== undefined && since > 0) {
        const gone = new AbortController();
        const onClose = () => gone.abort();
        reply.raw.once('close', onClose);
        try {
          await registry.waitForChange(since, { service, timeoutMs: waitMs, signal: gone.signal });
        } finally {
          reply.raw.off('close', onClose);
        }
      }
      const index = registry.index();
      reply.header(INDEX_HEADER, String(index));
      return { index, instances: registry.instances(service, { healthy: q.healthy, tags: q.tag }) };
    },
  );

  app.get(
    '/registry/services/:service/scores',
    {
      schema: {
        tags: ['registry'],
        summary: "QoS scores of the service's instances, as its stable endpoint sees them",
        params: ServiceParams,
        response: { 200: ScoresReplySchema },
        errors: [404],
      },
    },
    async (request) => {
      const { service } = request.params;
      registry.instances(service);
      const selection = selectionOf(orchestrator, service);
      return { service, strategy: selection.strategy, weights: normaliseWeights(selection.weights), instances: orchestrator.scores(service) };
    },
  );

  app.get(
    '/registry/instances/:id',
    {
      schema: { tags: ['registry'], summary: 'One registered instance', params: IdParams, response: { 200: RegistryInstanceSchema }, errors: [404] },
    },
    async (request) => {
      const instance = registry.get(request.params.id);
      if (!instance) {
        throw new TuttiError('TUTTI_E_NOT_FOUND', `no instance with id ${request.params.id} is registered`, {
          hint: 'list them with GET /api/v1/registry/services/{service}/instances',
        });
      }
      return instance;
    },
  );

  app.post(
    '/registry/instances',
    {
      config: { role: 'service' },
      schema: {
        tags: ['registry'],
        summary: 'Register (or replace) an instance started outside tutti, with an optional ttl, http or tcp check',
        body: RegisterInputSchema,
        response: { 201: RegistryInstanceSchema },
        errors: [400, 403],
      },
    },
    async (request, reply) => {
      const instance = await registry.register(request.body);
      return reply.code(201).header(INDEX_HEADER, String(instance.modifyIndex)).send(instance);
    },
  );

  app.delete(
    '/registry/instances/:id',
    {
      config: { role: 'service' },
      schema: {
        tags: ['registry'],
        summary: 'Deregister an external instance (instances tutti runs are stopped with their service instead)',
        params: IdParams,
        response: { 200: RegistryInstanceSchema },
        errors: [400, 403, 404],
      },
    },
    async (request, reply) => {
      const instance = await registry.deregister(request.params.id);
      return reply.header(INDEX_HEADER, String(instance.modifyIndex)).send(instance);
    },
  );

  app.put(
    '/registry/instances/:id/heartbeat',
    {
      config: { role: 'service' },
      schema: {
        tags: ['registry'],
        summary: "Heartbeat of an instance with a TTL check (Consul's pass, warn and fail)",
        params: IdParams,
        body: HeartbeatBodySchema,
        response: { 200: RegistryInstanceSchema },
        errors: [400, 403, 404],
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => registry.heartbeat(request.params.id, request.body),
  );

  app.get(
    '/registry/watch',
    {
      schema: {
        tags: ['registry'],
        summary: 'Follow the changes of the registry, or of one service (server-sent events)',
        description:
          'Each change is `event: change`, `id: <index>`, `data: <RegistryEvent>`, in index order, each once. A client that ' +
          'reconnects sends `Last-Event-ID` (or `?index=`) and gets the changes after it, then live ones. Without an index, ' +
          'or when the index is older than the kept history (or from before a daemon restart), the stream starts with ' +
          '`event: reset`, `id: <index>`, `data: { index, instances }`: the full current list.',
        querystring: Type.Object({
          service: Type.Optional(Type.String({ minLength: 1, description: 'only this service' })),
          index: Type.Optional(IndexText('resume after this index (Last-Event-ID wins when both are sent)')),
        }),
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String()) }),
        response: {
          200: {
            description: 'event stream',
            content: { 'text/event-stream': { schema: Type.Union([RegistryEventSchema, WatchResetSchema]) } },
          },
        },
        errors: [400, 404],
      },
    },
    async (request, reply) => {
      const { service } = request.query;
      const header = request.headers['last-event-id'];
      let from: number | undefined;
      if (header !== undefined && header !== '') from = parseIndex(header, 'headers.last-event-id');
      else if (request.query.index !== undefined) from = parseIndex(request.query.index, 'querystring.index');
      if (service !== undefined) registry.instances(service); // 404 before the stream starts
      reply.raw.setHeader(INDEX_HEADER, String(registry.index()));
      watchRegistry(registry, sse.start(request, reply), { service, from });
    },
  );
};

// ---- the watch stream ------------------------------------------------------------------
// Exactly once and in order, with no gap and no duplicate between the replay and the live
// changes: subscribe first and buffer, replay the history after the client's index (or send a
// reset snapshot), then drain the buffer and go live, skipping anything at or below the last
// index sent. A client that cannot keep up is disconnected once too much is queued for it; it
// reconnects with Last-Event-ID and resumes.

/** events queued for a slow client before its stream is ended */
export const MAX_QUEUED_EVENTS = 10_000;

export interface WatchOptions {
  service?: string;
  /** resume after this index; undefined = start with a snapshot */
  from?: number;
}

export function watchRegistry(registry: Registry, stream: SseStream, opts: WatchOptions): void {
  const { service } = opts;
  const out = senderFor(stream);
  let lastSent = -1;
  let buffered: RegistryEvent[] | undefined = [];

  const send = (event: RegistryEvent) => {
    if (event.index <= lastSent) return;
    lastSent = event.index;
    out({ id: event.index, event: 'change', data: event });
  };
  const unsubscribe = registry.subscribe((event) => {
    if (service !== undefined && event.service !== service) return;
    if (buffered) buffered.push(event);
    else send(event);
  });
  stream.signal.addEventListener('abort', unsubscribe, { once: true });

  const batch = opts.from === undefined ? undefined : registry.changes(opts.from, service);
  if (!batch || batch.reset) {
    const index = registry.index();
    out({ id: index, event: 'reset', data: { index, instances: snapshot(registry, service) } });
    lastSent = index;
  } else {
    for (const event of batch.events) send(event);
    lastSent = Math.max(lastSent, batch.index);
  }
  const pending = buffered;
  buffered = undefined;
  for (const event of pending) send(event);
  if (stream.signal.aborted) unsubscribe(); // gone before the listener above was added
}

function snapshot(registry: Registry, service: string | undefined): RegistryInstance[] {
  if (service !== undefined) return registry.instances(service);
  return registry.services().flatMap((s) => registry.instances(s.name));
}

/** Writes messages in order; while the socket is full they queue, and too long a queue ends the stream. */
function senderFor(stream: SseStream): (message: SseMessage) => void {
  let queue: SseMessage[] | undefined;
  const drain = async (q: SseMessage[]) => {
    for (let i = 0; i < q.length && !stream.closed; i++) {
      if (!stream.send(q[i])) await stream.drained();
    }
    queue = undefined;
  };
  return (message) => {
    if (stream.closed) return;
    if (queue) {
      queue.push(message);
      if (queue.length > MAX_QUEUED_EVENTS) stream.close();
      return;
    }
    if (!stream.send(message)) {
      queue = [];
      void stream.drained().then(() => drain(queue!));
    }
  };
}
