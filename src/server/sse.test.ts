import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseHub, type SseStream } from './sse.js';
import { waitFor } from './test-app.js';
import { openSse } from './test-sse.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(hub: SseHub, onStream: (s: SseStream) => void): Promise<string> {
  app = Fastify();
  app.addHook('preClose', async () => hub.closeAll());
  app.get('/events', async (request, reply) => onStream(hub.start(request, reply)));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/events`;
}

describe('SseHub', () => {
  it('sends the stream headers and frames id, event and JSON data', async () => {
    const hub = new SseHub();
    const url = await serve(hub, (s) => {
      s.send({ id: 7, event: 'log', data: { text: 'line one\nline two', n: 1 } });
      s.send({ data: 'plain' });
      s.close();
    });
    const conn = await openSse(url);
    await conn.ended;
    expect(conn.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(conn.headers['cache-control']).toBe('no-cache, no-transform');
    expect(conn.headers['x-accel-buffering']).toBe('no');
    expect(conn.raw).toBe('id: 7\nevent: log\ndata: {"text":"line one\\nline two","n":1}\n\ndata: "plain"\n\n');
    expect(JSON.parse(conn.events[0].data)).toEqual({ text: 'line one\nline two', n: 1 });
  });

  it('keeps newlines out of id and event so a value cannot forge a frame', async () => {
    const hub = new SseHub();
    const url = await serve(hub, (s) => {
      s.send({ id: '1\ndata: forged', event: 'a\n\nevent: b', data: 1 });
      s.close();
    });
    const conn = await openSse(url);
    await conn.ended;
    expect(conn.events).toEqual([{ id: '1data: forged', event: 'aevent: b', data: '1' }]);
  });

  it('sends a heartbeat comment while idle', async () => {
    const hub = new SseHub({ heartbeatMs: 20 });
    const url = await serve(hub, () => {});
    const conn = await openSse(url);
    expect(await conn.waitForComment()).toBe('heartbeat');
    conn.close();
  });

  it('aborts the stream signal and forgets the stream when the client disconnects', async () => {
    const hub = new SseHub();
    let stream: SseStream | undefined;
    const url = await serve(hub, (s) => (stream = s));
    const conn = await openSse(url);
    await waitFor(() => stream !== undefined && hub.size === 1, 'the stream to open');
    expect(stream!.signal.aborted).toBe(false);
    conn.close();
    await waitFor(() => stream!.signal.aborted, 'the signal to abort');
    expect(hub.size).toBe(0);
    expect(stream!.closed).toBe(true);
    expect(stream!.send({ data: 'late' })).toBe(false);
  });

  it('closeAll ends every open stream so the server can close', async () => {
    const hub = new SseHub();
    const url = await serve(hub, () => {});
    const a = await openSse(url);
    const b = await openSse(url);
    await waitFor(() => hub.size === 2, 'two streams');
    await app!.close();
    app = undefined;
    await Promise.all([a.ended, b.ended]);
    expect(hub.size).toBe(0);
  });

  it('drained() waits for a slow reader and resolves when it goes away', async () => {
    const hub = new SseHub();
    let stream: SseStream | undefined;
    const url = await serve(hub, (s) => (stream = s));
    const conn = await openSse(url);
    await waitFor(() => stream !== undefined, 'the stream');
    const big = 'x'.repeat(64 * 1024);
    // the test client reads as fast as it can, so the buffer empties and drained resolves
    while (stream!.send({ data: big })) {
      /* fill the socket buffer */
    }
    await stream!.drained();
    // a reader that is gone: drained resolves instead of hanging
    while (stream!.send({ data: big })) {
      /* fill again */
    }
    conn.close();
    await stream!.drained();
    expect(stream!.closed).toBe(true);
  });
});
