// A local stand-in for the public services the ctk scenarios call (petstore.swagger.io and
// httpbin.org), serving the same routes with the same shapes, and a fetch that sends those
// hosts to it. The feature files stay as they are.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const STUBBED_HOSTS: Record<string, string> = { 'petstore.swagger.io': '/petstore', 'httpbin.org': '/httpbin' };

const pet = (id: number, status = 'available') => ({ id, category: { id: 1, name: 'dogs' }, name: `pet-${id}`, photoUrls: [], tags: [], status });

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://stub');
  const path = url.pathname;
  let m: RegExpExecArray | null;
  if (path === '/petstore/v2/pet/findByStatus') {
    const status = url.searchParams.get('status') ?? 'available';
    return send(res, 200, [pet(1, status), pet(2, status)]);
  }
  if ((m = /^\/petstore\/v2\/pet\/(\d+)$/.exec(path))) return send(res, 200, pet(Number(m[1])));
  if (path.startsWith('/petstore/')) return send(res, 404, { code: 1, type: 'error', message: 'Pet not found' });
  if ((m = /^\/httpbin\/basic-auth\/([^/]+)\/([^/]+)$/.exec(path))) {
    const expected = `Basic ${Buffer.from(`${decodeURIComponent(m[1])}:${decodeURIComponent(m[2])}`).toString('base64')}`;
    if (req.headers.authorization === expected) return send(res, 200, { authenticated: true, user: decodeURIComponent(m[1]) });
    res.writeHead(401, { 'www-authenticate': 'Basic realm="Fake Realm"' });
    return void res.end();
  }
  if ((m = /^\/httpbin\/status\/(\d+)$/.exec(path))) {
    res.writeHead(Number(m[1]));
    return void res.end();
  }
  if (/^\/httpbin\/(get|post|put|patch|delete|anything)/.test(path)) {
    const data = await readBody(req);
    let json: unknown = null;
    try {
      json = data ? JSON.parse(data) : null;
    } catch {
      json = null;
    }
    return send(res, 200, { args: Object.fromEntries(url.searchParams), headers: req.headers, method: req.method, url: `https://httpbin.org${path.slice('/httpbin'.length)}${url.search}`, data, json });
  }
  send(res, 404, { message: `no stub for ${req.method} ${path}` });
}

export interface Stub {
  server: Server;
  base: string;
  fetch: typeof fetch;
  close(): Promise<void>;
}

export async function startStub(): Promise<Stub> {
  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => send(res, 500, { message: e.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const rewrite: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const prefix = STUBBED_HOSTS[url.hostname];
    const target = prefix ? new URL(`${prefix}${url.pathname}${url.search}`, base) : url;
    return fetch(target, init);
  };
  return { server, base, fetch: rewrite, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
