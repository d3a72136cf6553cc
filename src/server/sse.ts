// Server-sent events over a hijacked reply: the right headers for proxies and browsers,
// `id:`/`event:`/`data:` framing, a heartbeat comment so idle connections are not cut, and
// cleanup when either side closes. The hub tracks open streams so closing the app ends them
// instead of waiting forever on connections that never finish by themselves.

import type { FastifyReply, FastifyRequest } from 'fastify';

export interface SseMessage {
  id?: string | number;
  event?: string;
  /** JSON-serialised */
  data: unknown;
}

export interface SseStream {
  /** aborted when the client goes away or the stream is closed: stop producing then */
  readonly signal: AbortSignal;
  readonly closed: boolean;
  /** false when the socket's buffer is full (await drained()) or the stream is closed */
  send(message: SseMessage): boolean;
  comment(text: string): void;
  /** resolves when the client has caught up with what was sent, or the stream closed */
  drained(): Promise<void>;
  close(): void;
}

export const DEFAULT_HEARTBEAT_MS = 15_000;

export class SseHub {
  private readonly open = new Set<SseStream>();
  private readonly heartbeatMs: number;

  constructor(opts: { heartbeatMs?: number } = {}) {
    this.heartbeatMs = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  }

  get size(): number {
    return this.open.size;
  }

  /** Takes over the reply and starts an event stream on it. */
  start(request: FastifyRequest, reply: FastifyReply): SseStream {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    request.raw.socket?.setNoDelay(true);

    const controller = new AbortController();
    let closed = false;
    const write = (chunk: string): boolean => (closed ? false : res.write(chunk));
    const cleanup = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      this.open.delete(stream);
      controller.abort();
    };
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), this.heartbeatMs);
    heartbeat.unref();

    const stream: SseStream = {
      signal: controller.signal,
      get closed() {
        return closed;
      },
      send(message) {
        let frame = '';
        if (message.id !== undefined) frame += `id: ${String(message.id).replace(/[\r\n]/g, '')}\n`;
        if (message.event) frame += `event: ${message.event.replace(/[\r\n]/g, '')}\n`;
        for (const line of JSON.stringify(message.data ?? null).split('\n')) frame += `data: ${line}\n`;
        return write(frame + '\n');
      },
      comment(text) {
        write(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`);
      },
      drained() {
        if (closed || !res.writableNeedDrain) return Promise.resolve();
        return new Promise((resolve) => {
          const done = () => {
            res.off('drain', done);
            controller.signal.removeEventListener('abort', done);
            resolve();
          };
          res.on('drain', done);
          controller.signal.addEventListener('abort', done, { once: true });
        });
      },
      close() {
        if (closed) return;
        cleanup();
        res.end();
      },
    };
    res.on('close', cleanup);
    res.on('error', cleanup);
    this.open.add(stream);
    return stream;
  }

  /** Ends every open stream (the app is closing). */
  closeAll(): void {
    for (const s of [...this.open]) s.close();
  }
}
