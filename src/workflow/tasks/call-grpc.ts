// `call: grpc`: loads the service's .proto (a file path, file:// URI — `file://app/x.proto` is
// relative to the working directory — or an http(s) URL fetched once into a temporary file) with
// @grpc/proto-loader, and calls `method` of `service.name` on `service.host:port` with
// `arguments` over an insecure channel (@grpc/grpc-js). A host that names a registered service
// goes to that service's address. Unary methods output the response message; server-streaming
// ones the array of messages. Field names are kept as in the .proto, 64-bit integers and enums
// come out as strings, bytes as base64. A gRPC error status faults as communication, with the
// status in the detail and mapped to the nearest HTTP status.

import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { TaskExecutor, TaskRuntime } from '../engine/types.js';
import { ErrorTypes, WorkflowError } from '../errors.js';
import { authorizationHeader, resolveAuthentication, serviceUrl } from './auth.js';
import { communicationError, requestKey } from './call-http.js';
import { LRUCache } from 'lru-cache';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, bytes: String, defaults: true, oneofs: true };

/** gRPC status → the HTTP status a workflow error carries (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GRPC_TO_HTTP: Record<number, number> = {
  1: 499, // CANCELLED
  2: 500, // UNKNOWN
  3: 400, // INVALID_ARGUMENT
  4: 408, // DEADLINE_EXCEEDED
  5: 404, // NOT_FOUND
  6: 409, // ALREADY_EXISTS
  7: 403, // PERMISSION_DENIED
  8: 429, // RESOURCE_EXHAUSTED
  9: 400, // FAILED_PRECONDITION
  10: 409, // ABORTED
  11: 400, // OUT_OF_RANGE
  12: 501, // UNIMPLEMENTED
  13: 500, // INTERNAL
  14: 503, // UNAVAILABLE
  15: 500, // DATA_LOSS
  16: 401, // UNAUTHENTICATED
};

// loaded once per proto, kept 10 minutes (an edited proto is read again), 100 at most
const packages = new LRUCache<string, Promise<grpc.GrpcObject>>({ max: 100, ttl: 600_000 });
const downloads = new LRUCache<string, Promise<string>>({ max: 100, ttl: 600_000 });

/** Forgets loaded protos (tests). */
export function clearProtoCache(): void {
  packages.clear();
  downloads.clear();
}

function configuration(instance: string, detail: string): WorkflowError {
  return new WorkflowError({ type: ErrorTypes.configuration, status: 400, title: 'Invalid gRPC call', detail, instance });
}

/** The local file holding the proto at `uri` (downloaded once when it is an http(s) URL). */
async function protoFile(rt: TaskRuntime, uri: string, authorization: string | undefined, instance: string): Promise<string> {
  const cwd = rt.options.cwd ?? process.cwd();
  if (/^https?:\/\//i.test(uri)) {
    const url = serviceUrl(rt, new URL(uri));
    let file = downloads.get(url.href);
    if (!file) {
      file = (async () => {
        const res = await (rt.options.fetch ?? globalThis.fetch)(url, { headers: authorization ? { authorization } : {}, signal: AbortSignal.timeout(30_000) });
        if (!res.ok) throw new Error(`GET ${url.href} answered ${res.status}`);
        const path = join(tmpdir(), `tutti-proto-${createHash('sha256').update(url.href).digest('hex').slice(0, 16)}.proto`);
        await writeFile(path, Buffer.from(await res.arrayBuffer()));
        return path;
      })();
      downloads.set(url.href, file);
      file.catch(() => downloads.delete(url.href));
    }
    try {
      return await file;
    } catch (e) {
      throw communicationError(instance, 503, `the proto ${url.href} could not be fetched: ${(e as Error).message}.`, 'Service Unavailable');
    }
  }
  if (/^file:/i.test(uri)) {
    const url = new URL(uri);
    // file://app/greet.proto (the spec's example) names app/greet.proto, not host "app"
    if (url.host !== '' && url.host !== 'localhost') return resolve(cwd, decodeURIComponent(url.host + url.pathname));
    return fileURLToPath(url);
  }
  return isAbsolute(uri) ? uri : resolve(cwd, uri);
}

async function loadPackage(file: string, instance: string): Promise<grpc.GrpcObject> {
  let pkg = packages.get(file);
  if (!pkg) {
    pkg = protoLoader.load(file, LOADER_OPTIONS).then((def) => grpc.loadPackageDefinition(def));
    packages.set(file, pkg);
    pkg.catch(() => packages.delete(file));
  }
  try {
    return await pkg;
  } catch (e) {
    throw configuration(instance, `the proto ${file} could not be loaded: ${(e as Error).message}.`);
  }
}

function findService(pkg: grpc.GrpcObject, name: string): grpc.ServiceClientConstructor | undefined {
  let node: unknown = pkg;
  for (const part of name.split('.')) node = isObject(node) || typeof node === 'function' ? (node as Obj)[part] : undefined;
  return typeof node === 'function' && 'service' in node ? (node as grpc.ServiceClientConstructor) : undefined;
}

/** host:port to dial: a registered service's address, else as written. */
function target(rt: TaskRuntime, host: string, port: number | undefined, instance: string): string {
  const base = rt.options.resolveService?.(host);
  if (base) {
    const u = new URL(base);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
  }
  if (port === undefined) throw configuration(instance, `service.port is required to call ${host} (it is not a registered service).`);
  return `${host}:${port}`;
}

function grpcError(instance: string, what: string, e: grpc.ServiceError): WorkflowError {
  const name = grpc.status[e.code] ?? String(e.code);
  return communicationError(instance, GRPC_TO_HTTP[e.code] ?? 500, `${what} failed with gRPC status ${name} (${e.code}): ${e.details || e.message}.`, `gRPC ${name}`);
}

interface GrpcArgs {
  proto: { endpoint: string | { uri: string; authentication?: unknown } };
  service: { name: string; host: string; port?: number; authentication?: unknown };
  method: string;
  arguments?: Obj;
}

export const callGrpcTask: TaskExecutor = async (task, input, rt) => {
  const p = task.pointer;
  const w = rt.value('/with', input) as GrpcArgs;
  const endpoint = typeof w.proto?.endpoint === 'string' ? { uri: w.proto.endpoint } : w.proto?.endpoint;
  if (!endpoint || typeof endpoint.uri !== 'string') throw configuration(`${p}/with/proto`, 'proto.endpoint must name the .proto file (a path or a URI).');
  const protoAuth = endpoint.authentication !== undefined ? await resolveAuthentication(rt, `${p}/with/proto/endpoint/authentication`, input, endpoint.authentication) : undefined;
  const file = await protoFile(rt, endpoint.uri, protoAuth && authorizationHeader(protoAuth.authorization), p);
  const pkg = await loadPackage(file, p);
  const Client = findService(pkg, String(w.service.name));
  if (!Client) throw configuration(`${p}/with/service/name`, `the proto ${endpoint.uri} defines no service ${JSON.stringify(w.service.name)}.`);
  const def = Client.service[w.method];
  if (!def) throw configuration(`${p}/with/method`, `service ${w.service.name} has no method ${JSON.stringify(w.method)} (it has ${Object.keys(Client.service).join(', ')}).`);
  if (def.requestStream) {
    throw new WorkflowError({ type: ErrorTypes.runtime, status: 501, title: 'Not supported', detail: `not supported yet: client-streaming gRPC methods (${w.service.name}/${w.method}).`, instance: p });
  }
  const auth = w.service.authentication !== undefined ? await resolveAuthentication(rt, `${p}/with/service/authentication`, input, w.service.authentication) : undefined;
  const address = target(rt, String(w.service.host), w.service.port, `${p}/with/service`);
  const metadata = new grpc.Metadata();
  if (auth) metadata.set('authorization', authorizationHeader(auth.authorization));
  metadata.set('idempotency-key', requestKey(rt, p));
  const args = w.arguments ?? {};
  const what = `${w.service.name}/${w.method} on ${address}`;
  const signal = rt.scope.signal;
  if (signal.aborted) throw signal.reason;
  const client = new Client(address, grpc.credentials.createInsecure());
  const stub = client as unknown as Record<string, (...a: unknown[]) => grpc.ClientUnaryCall & grpc.ClientReadableStream<unknown>>;
  try {
    const output = await new Promise<unknown>((resolvePromise, reject) => {
      let call: grpc.Call | undefined;
      const onAbort = () => {
        call?.cancel();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (e: grpc.ServiceError | null, value?: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return reject(signal.reason);
        if (e) return reject(grpcError(p, what, e));
        resolvePromise(value);
      };
      if (def.responseStream) {
        const items: unknown[] = [];
        const stream = stub[w.method].call(client, args, metadata);
        call = stream;
        stream.on('data', (m: unknown) => items.push(m));
        stream.on('error', (e: grpc.ServiceError) => done(e));
        stream.on('end', () => done(null, items));
      } else {
        call = stub[w.method].call(client, args, metadata, (e: grpc.ServiceError | null, res: unknown) => done(e, res));
      }
    });
    return { output };
  } finally {
    client.close();
  }
};
