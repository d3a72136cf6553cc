// A minimal fetch over node:http for the SDK's long-lived registry watches. The global fetch
// (undici) holds a reference on the event loop while a response is open, so a process whose
// only remaining work is a watch would never exit (and never run its `beforeExit`
// deregistration). This one unrefs the connection's socket: a watch never keeps a process alive.

import http from 'node:http';
import { Readable } from 'node:stream';

export async function streamFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => (headers[key] = value));
  // TLS is loaded only for a control plane behind https, keeping the CLI's start light
  const send = url.protocol === 'https:' ? (await import('node:https')).request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: init.method ?? 'GET', headers, agent: false, signal: init.signal ?? undefined });
    req.once('socket', (socket) => socket.unref());
    req.once('error', reject);
    req.once('response', (res) => {
      const answer = new Headers();
      for (const [key, value] of Object.entries(res.headers)) {
        for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) answer.append(key, v);
      }
      const empty = res.statusCode === 204 || res.statusCode === 304 || init.method === 'HEAD';
      const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
      resolve(new Response(body, { status: res.statusCode ?? 502, statusText: res.statusMessage, headers: answer }));
    });
    if (typeof init.body === 'string') req.write(init.body);
    req.end();
  });
}
