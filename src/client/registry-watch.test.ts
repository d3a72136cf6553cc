// The watch's reconnect rules against a scripted SSE server over a real socket: a dropped
// stream is resumed with Last-Event-ID, a replay that overlaps is not handed out twice, a reset
// replaces the list, and a refusal (404) ends the watch with the server's error.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TuttiError } from '../core/index.js';
import { waitFor } from '../server/test-app.js';
import { createClient, type RegistryInstance, type RegistryWatchEvent } from './index.js';

interface Seen {
  lastEventId?: string;
  query: string;
}

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

const instance = (id: string, index: number): RegistryInstance => ({
  id,
  service: 'orders',
  address: '127.0.0.1',
  port: 8000 + index,
  tags: [],
  meta: {},
  status: 'passing',
  source: 'external',
  registeredAt: 1,
  modifyIndex: index,
});

const change = (index: number, id = `o-${index}`) =>
  `id: ${index}\nevent: change\ndata: ${JSON.stringify({ index, type: 'registered', service: 'orders', instance: instance(id, index) })}\n\n`;

/** Serves one scripted answer per connection; `frames` of a connection are written and the
 *  stream is then ended (end: true) or held open. */
async function scripted(connections: Array<{ status?: number; frames: string[]; end?: boolean }>): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = http.createServer((req, res) => {
    seen.push({ lastEventId: req.headers['last-event-id'] as string | undefined, query: req.url ?? '' });
    const next = connections[Math.min(seen.length - 1, connections.length - 1)];
    if (next.status === 404) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'TUTTI_E_NOT_FOUND', message: 'no service named orders', hint: 'did you mean order?' }));
      return;
    }
    if (next.status) {
      // a proxy in front of a daemon that is restarting
      res.writeHead(next.status, { 'content-type': 'text/html' });
      res.end('<h1>service unavailable</h1>');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const f of next.frames) res.write(f);
    if (next.end) res.end();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function collect(url: string, opts: { service?: string; index?: number }, until: (got: RegistryWatchEvent[]) => boolean) {
  const got: RegistryWatchEvent[] = [];
  const abort = new AbortController();
  const client = createClient({ url, token: 't' });
  const done = (async () => {
    for await (const e of client.watchRegistry({ ...opts, signal: abort.signal, retryMs: 5, maxRetryMs: 20 })) {
      got.push(e);
      if (until(got)) abort.abort();
    }
  })();
  return { got, done, abort };
}

describe('watchRegistry', () => {
  it('resumes a dropped stream from the last index and hands out each change once, in order', async () => {
    const { url, seen } = await scripted([
      { frames: [change(5), change(6)], end: true },
      // the server replays from 6 but also repeats 6 (a replay overlapping what was seen)
      { frames: [change(6), change(7)], end: true },
      { frames: [change(8)] },
    ]);
    const w = collect(url, { service: 'orders', index: 4 }, (got) => got.length === 4);
    await w.done;
    expect(w.got.map((e) => [e.type, e.index])).toEqual([
      ['change', 5],
      ['change', 6],
      ['change', 7],
      ['change', 8],
    ]);
    expect(seen.map((s) => s.lastEventId)).toEqual(['4', '6', '7']);
    expect(seen[0].query).toBe('/api/v1/registry/watch?service=orders');
  });

  it('starts without an index, takes a reset and resumes from its index', async () => {
    const reset = `id: 10\nevent: reset\ndata: ${JSON.stringify({ index: 10, instances: [instance('a', 3)] })}\n\n`;
    const { url, seen } = await scripted([{ frames: [reset], end: true }, { frames: [change(11)] }]);
    const w = collect(url, {}, (got) => got.length === 2);
    await w.done;
    expect(w.got[0]).toEqual({ type: 'reset', index: 10, instances: [instance('a', 3)] });
    expect(w.got[1]).toMatchObject({ type: 'change', index: 11, event: { type: 'registered', instance: { id: 'o-11' } } });
    expect(seen.map((s) => s.lastEventId)).toEqual([undefined, '10']);
  });

  it('keeps trying while the daemon is away, then resumes', async () => {
    const { url, seen } = await scripted([{ frames: [change(1)], end: true }, { status: 503, frames: [] }, { frames: [change(2)] }]);
    const w = collect(url, { index: 0 }, (got) => got.length === 2);
    await w.done;
    expect(w.got.map((e) => e.index)).toEqual([1, 2]);
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });

  it('ends with the server error when the watch is refused', async () => {
    const { url } = await scripted([{ status: 404, frames: [] }]);
    const w = collect(url, { service: 'ordres' }, () => false);
    const err = await w.done.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TuttiError);
    expect((err as TuttiError).code).toBe('TUTTI_E_NOT_FOUND');
    expect((err as TuttiError).hint).toBe('did you mean order?');
  });

  it('ends quietly when the signal aborts while connected', async () => {
    const { url, seen } = await scripted([{ frames: [] }]);
    const w = collect(url, {}, () => false);
    await waitFor(() => seen.length === 1, 'the watch to connect');
    w.abort.abort();
    await w.done;
    expect(w.got).toEqual([]);
  });
});
