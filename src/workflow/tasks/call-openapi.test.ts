import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStub, type Stub } from '../ctk/stub-server.js';
import { loadWorkflow } from '../definition/index.js';
import { runWorkflow, type RunWorkflowOptions } from '../engine/index.js';
import { clearOpenApiCache } from './call-openapi.js';

const HEAD = `document: { dsl: '1.0.3', namespace: test, name: wf, version: '1.0.0' }\n`;

const STORE_V3 = `openapi: 3.0.3
info: { title: store, version: '1' }
servers:
  - url: /api/{version}
    variables:
      version: { default: v3 }
paths:
  /orders/{orderId}/items:
    parameters:
      - { name: orderId, in: path, required: true, schema: { type: string } }
    get:
      operationId: listItems
      parameters:
        - { name: tag, in: query, schema: { type: array, items: { type: string } } }
        - { name: fields, in: query, explode: false, schema: { type: array, items: { type: string } } }
        - { name: X-Tenant, in: header, required: true, schema: { type: string } }
        - { name: session, in: cookie, schema: { type: string } }
    post:
      operationId: addItem
      requestBody:
        required: true
        content:
          application/json: { schema: { type: object } }
  /moved:
    get:
      operationId: moved
`;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
let documentFetches = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      if (url === '/docs/store.yaml') {
        documentFetches++;
        res.writeHead(200, { 'content-type': 'application/yaml' });
        return void res.end(STORE_V3);
      }
      if (url === '/docs/missing.json') {
        res.writeHead(404);
        return void res.end();
      }
      seen.push({ method: req.method ?? '', url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (url.startsWith('/api/v3/moved')) {
        res.writeHead(302, { location: '/elsewhere' });
        return void res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
  documentFetches = 0;
  clearOpenApiCache();
});

const call = (operationId: string, parameters: string, extra = '') =>
  `do:\n  - op:\n      call: openapi\n      with:\n        document: { endpoint: '${base}/docs/store.yaml' }\n        operationId: ${operationId}\n        parameters: ${parameters}\n${extra}`;
const run = (body: string, opts: RunWorkflowOptions = {}) => runWorkflow(loadWorkflow(HEAD + body), { runId: 'r1', ...opts });

describe('call: openapi (OpenAPI 3, YAML)', () => {
  it('builds path, query, header and cookie parameters against the relative server URL', async () => {
    const r = await run(call('listItems', `{ orderId: 'o/1', tag: [a, b], fields: [id, name], X-Tenant: acme, session: s1 }`));
    expect(r).toEqual({ status: 'completed', output: { ok: true } });
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('GET');
    expect(seen[0].url).toBe('/api/v3/orders/o%2F1/items?tag=a&tag=b&fields=id%2Cname');
    expect(seen[0].headers['x-tenant']).toBe('acme');
    expect(seen[0].headers.cookie).toBe('session=s1');
    expect(seen[0].headers['idempotency-key']).toBe('r1:/do/0/op');
  });

  it('sends the parameters not used elsewhere as the JSON body; `body` when given', async () => {
    await run(call('addItem', `{ orderId: o1, sku: '\${ .sku }', qty: 2 }`), { input: { sku: 'X-9' } });
    expect(seen[0].method).toBe('POST');
    expect(seen[0].url).toBe('/api/v3/orders/o1/items');
    expect(seen[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0].body)).toEqual({ sku: 'X-9', qty: 2 });
    await run(call('addItem', `{ orderId: o1, body: [1, 2] }`));
    expect(JSON.parse(seen[1].body)).toEqual([1, 2]);
  });

  it('fetches each document once', async () => {
    await run(call('listItems', `{ orderId: a, X-Tenant: t }`));
    await run(call('listItems', `{ orderId: b, X-Tenant: t }`));
    expect(documentFetches).toBe(1);
    expect(seen).toHaveLength(2);
  });

  it('output: response and authentication, like call: http', async () => {
    const r = await run(call('listItems', `{ orderId: a, X-Tenant: t }`, `        output: response\n        authentication: { bearer: { token: tk } }\n`));
    expect(r.status).toBe('completed');
    expect(r.output).toMatchObject({ statusCode: 200, content: { ok: true }, request: { method: 'GET', uri: `${base}/api/v3/orders/a/items` } });
    expect(seen[0].headers.authorization).toBe('Bearer tk');
  });

  it('faults clearly: a missing required parameter, a missing body, an unknown operation, an unreachable document, a redirect', async () => {
    const missing = await run(call('listItems', `{ orderId: a }`));
    expect(missing.error).toMatchObject({ status: 400, title: 'Missing parameter', instance: '/do/0/op/with/parameters' });
    expect(missing.error?.detail).toMatch(/header parameter "X-Tenant"/);
    const noBody = await run(call('addItem', `{ orderId: a }`));
    expect(noBody.error).toMatchObject({ status: 400, title: 'Missing body' });
    const unknown = await run(call('nope', `{}`));
    expect(unknown.error).toMatchObject({ status: 400, instance: '/do/0/op/with/operationId' });
    expect(unknown.error?.detail).toMatch(/no operation "nope"/);
    const gone = await run(call('x', '{}').replace('/docs/store.yaml', '/docs/missing.json'));
    expect(gone.error).toMatchObject({ type: 'https://serverlessworkflow.io/spec/1.0.0/errors/communication', status: 404 });
    const moved = await run(call('moved', '{}'));
    expect(moved.error).toMatchObject({ status: 302 });
    expect(seen).toHaveLength(1); // only the redirect answered; the others never sent a request
  });
});

describe('call: openapi (Swagger 2.0, the petstore stub)', () => {
  let stub: Stub;
  beforeAll(async () => {
    stub = await startStub();
  });
  afterAll(() => stub.close());

  it('findPetsByStatus (query, collectionFormat multi) and getPetById (path) go to schemes + host + basePath', async () => {
    const urls: string[] = [];
    const fetchSpy: typeof fetch = (input, init) => {
      urls.push(String(input));
      return stub.fetch(input, init);
    };
    const body = `do:
  - find:
      call: openapi
      with:
        document: { endpoint: 'https://petstore.swagger.io/v2/swagger.json' }
        operationId: findPetsByStatus
        parameters: { status: [available, pending] }
      output: { as: 'length' }
  - get:
      call: openapi
      with:
        document: { endpoint: 'https://petstore.swagger.io/v2/swagger.json' }
        operationId: getPetById
        parameters: { petId: 7 }
      output: { as: .id }
  - add:
      call: openapi
      with:
        document: { endpoint: 'https://petstore.swagger.io/v2/swagger.json' }
        operationId: addPet
        parameters: { name: rex, photoUrls: [] }
`;
    const r = await run(body, { fetch: fetchSpy });
    expect(r).toEqual({ status: 'completed', output: { id: 10, name: 'rex', photoUrls: [] } });
    expect(urls).toEqual([
      'https://petstore.swagger.io/v2/swagger.json',
      'https://petstore.swagger.io/v2/pet/findByStatus?status=available&status=pending',
      'https://petstore.swagger.io/v2/pet/7',
      'https://petstore.swagger.io/v2/pet',
    ]);
  });
});
