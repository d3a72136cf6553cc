// `call: openapi`: fetches the OpenAPI document (Swagger 2.0 or OpenAPI 3.x, JSON or YAML; once
// per URL), finds the operation by operationId and turns `parameters` into a request: path,
// query, header and cookie parameters by name, the body from a 2.0 `in: body` parameter, 2.0
// formData, or — for a 3.x requestBody — `parameters.body` if given, else every parameter not
// used elsewhere (Synapse's reading). The server is the operation's / path's / document's first
// `servers` entry (relative to the document URL, variables at their defaults), or for 2.0
// schemes + host + basePath. The request then goes out like call: http (same output forms,
// redirect rule, authentication and Idempotency-Key).

import { parse as parseYaml } from 'yaml';
import type { TaskExecutor, TaskRuntime } from '../engine/types.js';
import { ErrorTypes, WorkflowError } from '../errors.js';
import { resolveAuthentication, serviceUrl, authorizationHeader } from './auth.js';
import { communicationError, httpRequest, type HttpOutput } from './call-http.js';
import { LRUCache } from 'lru-cache';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie' | 'body' | 'formData';
  required?: boolean;
  style?: string;
  explode?: boolean;
  collectionFormat?: string;
}

export interface Operation {
  method: string;
  path: string;
  pathItem: Obj;
  op: Obj;
}

// fetched once per URL, kept 5 minutes (a redeployed service's document is read again), 200 at most
const documents = new LRUCache<string, Promise<Obj>>({ max: 200, ttl: 300_000 });

/** Forgets the fetched documents (tests). */
export function clearOpenApiCache(): void {
  documents.clear();
}

function configuration(instance: string, title: string, detail: string): WorkflowError {
  return new WorkflowError({ type: ErrorTypes.configuration, status: 400, title, detail, instance });
}

/** Parses an OpenAPI document (JSON or YAML) and checks it is one. */
export function parseOpenApi(text: string, url: string): Obj {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    try {
      doc = parseYaml(text);
    } catch (e) {
      throw new Error(`${url} is neither JSON nor YAML (${(e as Error).message})`);
    }
  }
  if (!isObject(doc) || !(typeof doc.openapi === 'string' || doc.swagger === '2.0') || !isObject(doc.paths)) {
    throw new Error(`${url} is not an OpenAPI document (no "openapi: 3.x" or "swagger: 2.0" with paths)`);
  }
  return doc;
}

async function loadDocument(rt: TaskRuntime, url: URL, authorization: string | undefined, instance: string): Promise<Obj> {
  let loading = documents.get(url.href);
  if (!loading) {
    loading = (async () => {
      const headers: Record<string, string> = { accept: 'application/json, application/yaml;q=0.9, */*;q=0.5' };
      if (authorization) headers.authorization = authorization;
      const res = await (rt.options.fetch ?? globalThis.fetch)(url, { headers, signal: AbortSignal.timeout(30_000) });
      const text = await res.text();
      if (!res.ok) throw Object.assign(new Error(`GET ${url.href} answered ${res.status}`), { status: res.status });
      return parseOpenApi(text, url.href);
    })();
    documents.set(url.href, loading);
    loading.catch(() => documents.delete(url.href));
  }
  try {
    return await loading;
  } catch (e) {
    if (rt.scope.signal.aborted) throw rt.scope.signal.reason;
    const status = (e as { status?: number }).status;
    if (status !== undefined) throw communicationError(instance, status, `the OpenAPI document could not be fetched: ${(e as Error).message}.`);
    const cause = (e as { cause?: Error }).cause;
    throw communicationError(instance, 503, `the OpenAPI document ${url.href} could not be loaded: ${(e as Error).message}${cause ? ` (${cause.message})` : ''}.`, 'Service Unavailable');
  }
}

/** Follows local `$ref`s (`#/components/…`, `#/parameters/…`). */
export function deref(doc: Obj, value: unknown): unknown {
  let v = value;
  for (let i = 0; i < 16 && isObject(v) && typeof v.$ref === 'string'; i++) {
    const ref = v.$ref;
    if (!ref.startsWith('#/')) return v;
    let target: unknown = doc;
    for (const seg of ref.slice(2).split('/')) target = isObject(target) ? target[seg.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    v = target;
  }
  return v;
}

export function findOperation(doc: Obj, operationId: string): Operation | undefined {
  for (const [path, item] of Object.entries(doc.paths as Obj)) {
    const pathItem = deref(doc, item);
    if (!isObject(pathItem)) continue;
    for (const method of METHODS) {
      const op = pathItem[method];
      if (isObject(op) && op.operationId === operationId) return { method, path, pathItem, op };
    }
  }
  return undefined;
}

/** The operation's parameters: the path item's, overridden by the operation's (same name and place). */
function parametersOf(doc: Obj, o: Operation): Parameter[] {
  const all = new Map<string, Parameter>();
  for (const list of [o.pathItem.parameters, o.op.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const p of list.map((x) => deref(doc, x))) if (isObject(p) && typeof p.name === 'string' && typeof p.in === 'string') all.set(`${p.in}:${p.name}`, p as unknown as Parameter);
  }
  return [...all.values()];
}

/** The base URL requests go to (see the header). */
export function serverUrl(doc: Obj, docUrl: URL, o: Operation): URL {
  if (doc.swagger === '2.0') {
    const schemes = Array.isArray(doc.schemes) ? (doc.schemes as string[]) : [];
    const own = docUrl.protocol.slice(0, -1);
    const scheme = schemes.length === 0 || schemes.includes(own) ? own : schemes[0];
    const host = typeof doc.host === 'string' ? doc.host : docUrl.host;
    const basePath = typeof doc.basePath === 'string' ? doc.basePath : '';
    return new URL(`${scheme}://${host}${basePath}`);
  }
  const servers = [o.op.servers, o.pathItem.servers, doc.servers].find((s) => Array.isArray(s) && s.length > 0) as Obj[] | undefined;
  const first = servers?.[0];
  if (!isObject(first) || typeof first.url !== 'string') return new URL(docUrl.origin);
  const vars = isObject(first.variables) ? first.variables : {};
  const url = first.url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const v = vars[name];
    return isObject(v) && v.default !== undefined ? String(v.default) : whole;
  });
  return new URL(url, docUrl);
}

const text = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
const isJsonType = (t: string) => /^application\/json\b|\+json\b/i.test(t);

function joined(p: Parameter, values: unknown[]): string[] {
  const sep: Record<string, string> = { csv: ',', ssv: ' ', tsv: '\t', pipes: '|' };
  if (p.collectionFormat !== undefined) return p.collectionFormat === 'multi' ? values.map(text) : [values.map(text).join(sep[p.collectionFormat] ?? ',')];
  // OpenAPI 3 query default: style form, explode true (one key=value per item)
  const explode = p.explode ?? (p.style === undefined || p.style === 'form');
  if (p.in === 'query' && explode) return values.map(text);
  const s = p.style === 'spaceDelimited' ? ' ' : p.style === 'pipeDelimited' ? '|' : ',';
  return [values.map(text).join(s)];
}

interface OpenApiArgs {
  document: { endpoint: string | { uri: string; authentication?: unknown } };
  operationId: string;
  parameters?: Obj;
  output?: HttpOutput;
  redirect?: boolean;
}

export const callOpenApiTask: TaskExecutor = async (task, input, rt) => {
  const p = task.pointer;
  const raw = (task.definition.with ?? {}) as Obj;
  const authAt = `${p}/with/authentication`;
  const auth = raw.authentication !== undefined ? await resolveAuthentication(rt, authAt, input) : undefined;
  const w = rt.value('/with', input, auth ? { $authorization: auth.authorization } : {}) as OpenApiArgs;
  const endpoint = typeof w.document?.endpoint === 'string' ? { uri: w.document.endpoint } : w.document?.endpoint;
  if (!endpoint || typeof endpoint.uri !== 'string' || !URL.canParse(endpoint.uri)) {
    throw configuration(`${p}/with/document`, 'Invalid endpoint', `the OpenAPI document endpoint ${JSON.stringify(endpoint?.uri ?? null)} is not a valid URL.`);
  }
  const docUrl = serviceUrl(rt, new URL(endpoint.uri));
  const docAuth = endpoint.authentication !== undefined ? await resolveAuthentication(rt, `${p}/with/document/endpoint/authentication`, input, endpoint.authentication) : undefined;
  const doc = await loadDocument(rt, docUrl, docAuth && authorizationHeader(docAuth.authorization), p);
  const o = findOperation(doc, String(w.operationId));
  if (!o) throw configuration(`${p}/with/operationId`, 'Unknown operation', `the OpenAPI document ${docUrl.href} has no operation "${String(w.operationId)}".`);

  const params = isObject(w.parameters) ? w.parameters : {};
  const used = new Set<string>();
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  const query: Array<[string, string]> = [];
  const form = new URLSearchParams();
  let path = o.path;
  let body: unknown;
  let bodyParam: Parameter | undefined;
  for (const param of parametersOf(doc, o)) {
    if (param.in === 'body') bodyParam = param;
    const value = params[param.name];
    if (value === undefined || value === null) {
      if (param.required && param.in !== 'body') {
        throw new WorkflowError({ type: ErrorTypes.validation, status: 400, title: 'Missing parameter', detail: `operation ${o.op.operationId as string} needs the ${param.in} parameter "${param.name}", which \`parameters\` does not give.`, instance: `${p}/with/parameters` });
      }
      continue;
    }
    used.add(param.name);
    const values = Array.isArray(value) ? value : [value];
    switch (param.in) {
      case 'path':
        path = path.split(`{${param.name}}`).join(encodeURIComponent(joined({ ...param, explode: false }, values)[0]));
        break;
      case 'query':
        for (const v of joined(param, values)) query.push([param.name, v]);
        break;
      case 'header':
        headers[param.name] = joined({ ...param, explode: false }, values)[0];
        break;
      case 'cookie':
        cookies.push(`${param.name}=${encodeURIComponent(joined({ ...param, explode: false }, values)[0])}`);
        break;
      case 'body':
        body = value;
        break;
      case 'formData':
        for (const v of values) form.append(param.name, text(v));
        break;
    }
  }
  const leftovers = Object.fromEntries(Object.entries(params).filter(([k, v]) => !used.has(k) && v !== undefined));
  const requestBody = deref(doc, o.op.requestBody);
  let contentType: string | undefined;
  if (isObject(requestBody)) {
    const types = isObject(requestBody.content) ? Object.keys(requestBody.content) : [];
    contentType = types.find(isJsonType) ?? types[0];
    body = 'body' in leftovers ? leftovers.body : Object.keys(leftovers).length > 0 ? leftovers : undefined;
    if (body === undefined && requestBody.required) {
      throw new WorkflowError({ type: ErrorTypes.validation, status: 400, title: 'Missing body', detail: `operation ${o.op.operationId as string} needs a request body: give it as parameters.body or as the parameters not used by the path, query or headers.`, instance: `${p}/with/parameters` });
    }
  } else if (bodyParam && body === undefined && Object.keys(leftovers).length > 0) {
    body = leftovers;
  } else if ([...form.keys()].length > 0) {
    contentType = 'application/x-www-form-urlencoded';
    body = form.toString();
  }
  if (contentType && /^multipart\//i.test(contentType)) throw new WorkflowError({ type: ErrorTypes.runtime, status: 501, title: 'Not supported', detail: `not supported yet: ${contentType} request bodies (operation ${o.op.operationId as string}).`, instance: p });
  if (contentType === 'application/x-www-form-urlencoded' && isObject(body)) body = new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, text(v)])).toString();
  if (body !== undefined && contentType) headers['Content-Type'] = contentType;
  if (cookies.length > 0) headers.Cookie = cookies.join('; ');
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'accept')) headers.Accept = 'application/json';

  const base = serverUrl(doc, docUrl, o);
  const url = serviceUrl(rt, new URL(`${base.href.replace(/\/+$/, '')}${path}`));
  for (const [k, v] of query) url.searchParams.append(k, v);
  const output = await httpRequest(rt, p, {
    method: o.method,
    url,
    headers,
    body,
    output: w.output,
    redirect: w.redirect,
    auth,
    reauthenticate: () => resolveAuthentication(rt, authAt, input),
  });
  return { output };
};
