// A local stand-in for the public services the ctk scenarios call (petstore.swagger.io and
// httpbin.org), serving the same routes with the same shapes — including a trimmed copy of the
// petstore's Swagger 2.0 document for the call: openapi scenarios — and a fetch that sends those
// hosts to it. The feature files stay as they are.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const STUBBED_HOSTS: Record<string, string> = { 'petstore.swagger.io': '/petstore', 'httpbin.org': '/httpbin' };

const pet = (id: number, status = 'available') => ({ id, category: { id: 1, name: 'dogs' }, name: `pet-${id}`, photoUrls: [], tags: [], status });

/** The operations of https://petstore.swagger.io/v2/swagger.json the scenarios (and the openapi tests) use. */
export const PETSTORE_SWAGGER = {
  swagger: '2.0',
  info: { title: 'Swagger Petstore', version: '1.0.7' },
  host: 'petstore.swagger.io',
  basePath: '/v2',
  schemes: ['https', 'http'],
  paths: {
    '/pet': {
      post: {
        operationId: 'addPet',
        consumes: ['application/json'],
        produces: ['application/json'],
        parameters: [{ in: 'body', name: 'body', required: true, schema: { $ref: '#/definitions/Pet' } }],
        responses: { '200': { description: 'successful operation', schema: { $ref: '#/definitions/Pet' } } },
      },
    },
    '/pet/findByStatus': {
      get: {
        operationId: 'findPetsByStatus',
        produces: ['application/json', 'application/xml'],
        parameters: [{ name: 'status', in: 'query', required: true, type: 'array', items: { type: 'string', enum: ['available', 'pending', 'sold'] }, collectionFormat: 'multi' }],
        responses: { '200': { description: 'successful operation', schema: { type: 'array', items: { $ref: '#/definitions/Pet' } } } },
      },
    },
    '/pet/{petId}': {
      get: {
        operationId: 'getPetById',
        produces: ['application/json', 'application/xml'],
        parameters: [{ name: 'petId', in: 'path', required: true, type: 'integer', format: 'int64' }],
        responses: { '200': { description: 'successful operation', schema: { $ref: '#/definitions/Pet' } }, '404': { description: 'Pet not found' } },
      },
    },
  },
  definitions: {
    Pet: { type: 'object', required: ['name', 'photoUrls'], properties: { id: { type: 'integer' }, name: { type: 'string' }, status: { type: 'string' } } },
  },
};

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
  if (path === '/petstore/v2/swagger.json') return send(res, 200, PETSTORE_SWAGGER);
  if (path === '/petstore/v2/pet/findByStatus') {
    const status = url.searchParams.get('status') ?? 'available';
    return send(res, 200, [pet(1, status), pet(2, status)]);
  }
  if (path === '/petstore/v2/pet' && req.method === 'POST') {
    const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
    return send(res, 200, { id: 10, ...body });
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
