// Test helpers for the notifier: a real HTTP receiver on 127.0.0.1, polling with a deadline,
// a port nobody listens on, and a tracker for the timers this folder's code creates.

import { createHook } from 'node:async_hooks';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Requests whose connection went away before an answer. */
  aborted: number;
  close(): Promise<void>;
}

/** An HTTP receiver; `status(n)` answers the n-th request (1-based), `hang` never answers. */
export async function startReceiver(status: (n: number) => number | 'hang' = () => 200): Promise<Receiver> {
  const receiver: Receiver = { url: '', received: [], aborted: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      receiver.received.push({ method: req.method!, path: req.url!, contentType: req.headers['content-type'], body });
      const answer = status(receiver.received.length);
      if (answer === 'hang') {
        res.on('close', () => receiver.aborted++);
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer === 200 ? 'ok' : 'try later');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A port nothing listens on: bind one, then let it go. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Follows the timers created directly by this folder's code (the frame right after Node's
 * setTimeout is one of our files) until they fire or are cleared.
 */
export function trackOurTimers() {
  const live = new Set<number>();
  let created = 0;
  const hook = createHook({
    init(id, type) {
      if (type !== 'Timeout') return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 50;
      const frames = (new Error().stack ?? '').split('\n');
      Error.stackTraceLimit = limit;
      const at = frames.findIndex((f) => /at setTimeout \(node:timers/.test(f));
      const caller = at >= 0 ? (frames[at + 1] ?? '') : '';
      if (caller.includes('/monitor/alerts/') && !/\/test-[\w-]+\.ts|\.test\.ts/.test(caller)) {
        live.add(id);
        created++;
      }
    },
    destroy(id) {
      live.delete(id);
    },
  });
  hook.enable();
  return {
    live,
    created: () => created,
    stop: () => {
      hook.disable();
    },
  };
}
