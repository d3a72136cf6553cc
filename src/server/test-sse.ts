// A raw SSE reader for tests: a real socket (node:http), the exact status and headers, the
// parsed events and comments, and a way to wait for the n-th event or for the server to end.

import http from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseConnection {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** raw bytes received so far, for framing checks */
  raw: string;
  /** JSON body, when the server answered with an error instead of a stream */
  body?: unknown;
  events: EventSourceMessage[];
  comments: string[];
  /** resolves once at least n events have arrived */
  waitForEvents(n: number, timeoutMs?: number): Promise<EventSourceMessage[]>;
  waitForComment(timeoutMs?: number): Promise<string>;
  /** resolves when the server ends the response */
  ended: Promise<void>;
  /** the client goes away */
  close(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const waiters = new Set<() => void>();
      const notify = () => waiters.forEach((w) => w());
      let endedResolve!: () => void;
      const ended = new Promise<void>((r) => (endedResolve = r));
      const conn: SseConnection = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        raw: '',
        events: [],
        comments: [],
        ended,
        close: () => req.destroy(),
        waitForEvents: (n, timeoutMs = 5000) => waitUntil(() => conn.events.length >= n, `${n} events`, timeoutMs).then(() => conn.events),
        waitForComment: (timeoutMs = 5000) => waitUntil(() => conn.comments.length > 0, 'a comment', timeoutMs).then(() => conn.comments[0]),
      };
      const waitUntil = (cond: () => boolean, what: string, timeoutMs: number) =>
        new Promise<void>((ok, fail) => {
          if (cond()) return ok();
          const timer = setTimeout(() => {
            waiters.delete(check);
            fail(new Error(`timed out waiting for ${what}; got ${conn.raw.slice(0, 500)}`));
          }, timeoutMs);
          const check = () => {
            if (!cond()) return;
            clearTimeout(timer);
            waiters.delete(check);
            ok();
          };
          waiters.add(check);
        });
      const parser = createParser({
        onEvent: (e) => {
          conn.events.push(e);
          notify();
        },
        onComment: (c) => {
          conn.comments.push(c);
          notify();
        },
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        conn.raw += chunk;
        if (conn.status === 200) parser.feed(chunk);
      });
      const finish = () => {
        if (conn.status !== 200 && conn.raw) conn.body = JSON.parse(conn.raw);
        endedResolve();
        notify();
      };
      res.on('end', finish);
      res.on('close', finish);
      if (conn.status === 200) resolve(conn);
      else ended.then(() => resolve(conn));
    });
    req.on('error', reject);
  });
}
