// `POST /api/v1/events`: CloudEvents 1.0 over the HTTP binding, into the control plane's event
// bus (what `listen` tasks and `schedule.on` wait for). Structured mode (content-type
// application/cloudevents+json, the event as the body) or binary mode (ce-* headers, the body is
// the data); a missing id or time is filled in. The body is taken as it came (any content type)
// and read by the binding, which names the missing or invalid attribute in a 400.

import { Type } from '@sinclair/typebox';
import { parseHttpCloudEvent } from '../../workflow/events/http-binding.js';
import type { ApiPlugin } from '../plugin-types.js';

export const eventRoutes: ApiPlugin = async (app, { eventBus: maybe }) => {
  if (!maybe) return;
  const bus = maybe;

  // binary mode carries any media type; structured mode is parsed by the binding (this plugin's
  // own parsers: application/json keeps Fastify's, whose parsed value the binding accepts)
  app.addContentTypeParser('application/cloudevents+json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(
    '/events',
    {
      config: { role: 'service' },
      schema: {
        tags: ['events'],
        summary: 'Publish a CloudEvent (HTTP binding: structured or binary mode)',
        description:
          'Structured: `Content-Type: application/cloudevents+json` with the event as the body. Binary: the attributes ' +
          'as `ce-specversion`, `ce-type`, `ce-source` (and `ce-id`, …) headers, the data as the body with its own ' +
          'content type. `id` (a UUID) and `time` (now) are filled in when missing. Needs the service role or higher.',
        response: {
          202: Type.Object({
            id: Type.String({ description: "the event's id" }),
            seq: Type.Integer({ description: 'its position in the bus' }),
          }),
        },
        errors: [400, 403],
      },
    },
    async (request, reply) => {
      const event = parseHttpCloudEvent(request.headers, request.body);
      const published = await bus.publish(event);
      return reply.code(202).send({ id: published.event.id, seq: published.seq });
    },
  );
};
