import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkflow } from '../definition/index.js';
import { runWorkflow, type RunWorkflowOptions } from '../engine/index.js';
import { clearProtoCache } from './call-grpc.js';

const HEAD = `document: { dsl: '1.0.3', namespace: test, name: wf, version: '1.0.0' }\n`;
const FIXTURES = join(import.meta.dirname, 'fixtures');
const PROTO = pathToFileURL(join(FIXTURES, 'greet.proto')).href;

let server: grpc.Server;
let port: number;
let protoHttp: HttpServer;
let protoBase: string;
const metadataSeen: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  const def = protoLoader.loadSync(join(FIXTURES, 'greet.proto'), { keepCase: true, longs: String, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { GreeterApi: { Greeter: grpc.ServiceClientConstructor } };
  server = new grpc.Server();
  server.addService(pkg.GreeterApi.Greeter.service, {
    SayHello: (call: grpc.ServerUnaryCall<{ name: string; visits: string; mood: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      metadataSeen.push(call.metadata.getMap());
      if (call.request.name === 'nobody') return cb({ code: grpc.status.NOT_FOUND, details: 'no such person' } as grpc.ServiceError);
      cb(null, { message: `Hello ${call.request.name}!`, visits: String(BigInt(call.request.visits) + 1n), mood: call.request.mood, tags: ['a', 'b'] });
    },
    CountTo: (call: grpc.ServerWritableStream<{ n: number }, unknown>) => {
      for (let i = 1; i <= call.request.n; i++) call.write({ i });
      call.end();
    },
    Collect: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, {}),
  });
  port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  protoHttp = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(readFileSync(join(FIXTURES, 'greet.proto')));
  });
  await new Promise<void>((resolve) => protoHttp.listen(0, '127.0.0.1', resolve));
  protoBase = `http://127.0.0.1:${(protoHttp.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  await new Promise<void>((resolve) => protoHttp.close(() => resolve()));
  clearProtoCache();
});

const greet = (proto: string, method = 'SayHello', args = `{ name: '\${ .user }', visits: '41', mood: HAPPY }`, service = `{ name: GreeterApi.Greeter, host: 127.0.0.1, port: PORT }`) =>
  `do:\n  - greet:\n      call: grpc\n      with:\n        proto: { endpoint: '${proto}' }\n        service: ${service}\n        method: ${method}\n        arguments: ${args}\n`;
const run = (body: string, opts: RunWorkflowOptions = {}) => runWorkflow(loadWorkflow(HEAD + body.replace('PORT', String(port))), { input: { user: 'Ann' }, runId: 'r1', ...opts });

describe('call: grpc', () => {
  it('calls a unary method with the arguments and outputs the reply (64-bit integers and enums as strings)', async () => {
    const r = await run(greet(PROTO));
    expect(r).toEqual({ status: 'completed', output: { message: 'Hello Ann!', visits: '42', mood: 'HAPPY', tags: ['a', 'b'] } });
    expect(metadataSeen.at(-1)).toMatchObject({ 'idempotency-key': 'r1:/do/0/greet' });
  });

  it('reads the proto from a file:// URI relative to the working directory, or from an http URL', async () => {
    const rel = await run(greet('file://fixtures/greet.proto'), { cwd: join(FIXTURES, '..') });
    expect(rel.output).toMatchObject({ message: 'Hello Ann!' });
    const http = await run(greet(`${protoBase}/greet.proto`));
    expect(http.output).toMatchObject({ message: 'Hello Ann!' });
  });

  it('a server-streaming method outputs the array of messages', async () => {
    const r = await run(greet(PROTO, 'CountTo', '{ n: 3 }'));
    expect(r).toEqual({ status: 'completed', output: [{ i: 1 }, { i: 2 }, { i: 3 }] });
  });

  it('a host naming a registered service goes to its address; authentication travels as metadata', async () => {
    const r = await run(greet(PROTO, 'SayHello', `{ name: x }`, `{ name: GreeterApi.Greeter, host: greeter, authentication: { bearer: { token: t0k } } }`), {
      resolveService: (h) => (h === 'greeter' ? `http://127.0.0.1:${port}` : undefined),
    });
    expect(r.output).toMatchObject({ message: 'Hello x!' });
    expect(metadataSeen.at(-1)).toMatchObject({ authorization: 'Bearer t0k' });
  });

  it('a gRPC error status faults as communication with the status and a mapped HTTP status', async () => {
    const notFound = await run(greet(PROTO, 'SayHello', `{ name: nobody }`));
    expect(notFound.error).toMatchObject({ type: 'https://serverlessworkflow.io/spec/1.0.0/errors/communication', status: 404, title: 'gRPC NOT_FOUND', instance: '/do/0/greet' });
    expect(notFound.error?.detail).toMatch(/gRPC status NOT_FOUND \(5\): no such person/);
    const down = await run(greet(PROTO).replace('port: PORT', 'port: 1'));
    expect(down.error).toMatchObject({ status: 503, title: 'gRPC UNAVAILABLE' });
  });

  it('names what is wrong: an unknown service or method, a missing port, a client-streaming method', async () => {
    expect((await run(greet(PROTO).replace('GreeterApi.Greeter', 'GreeterApi.Nope'))).error?.detail).toMatch(/defines no service "GreeterApi.Nope"/);
    expect((await run(greet(PROTO, 'Shout'))).error?.detail).toMatch(/has no method "Shout" \(it has SayHello, CountTo, Collect\)/);
    expect((await run(greet(PROTO).replace(', port: PORT', ''))).error?.detail).toMatch(/service.port is required/);
    expect((await run(greet(PROTO, 'Collect'))).error).toMatchObject({ status: 501 });
    expect((await run(greet(pathToFileURL(join(FIXTURES, 'missing.proto')).href))).error?.detail).toMatch(/could not be loaded/);
  });
});
