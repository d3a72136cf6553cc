// `call: http`: one HTTP request through the run's fetch. `{name}` in the endpoint is replaced
// by that property of the task input; JSON responses are parsed; a non-2xx answer (3xx too
// unless `redirect: true`) faults with a communication error carrying the status. Every request
// carries `Idempotency-Key: <runId>:<task pointer>[:<loop index>…]`, the same on every retry and
// after a resume (inside a `use.functions` function the calling task's pointer comes first:
// `<call pointer>><function task pointer>`). `httpRequest` is shared with call: openapi.

import { STATUS_CODES } from 'node:http';
import { ErrorTypes, WorkflowError } from '../errors.js';
import type { TaskExecutor, TaskRuntime } from '../engine/types.js';
import { authorizationHeader, resolveAuthentication, serviceUrl, type ResolvedAuthentication } from './auth.js';
import { callSites } from './call-function.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export type HttpOutput = 'content' | 'response' | 'raw';

interface HttpArgs {
  method: string;
  endpoint: string | { uri: string; authentication?: unknown };
  headers?: Record<string, unknown>;
  body?: unknown;
  query?: Record<string, unknown>;
  output?: HttpOutput;
  redirect?: boolean;
}

/** `{petId}` → the input's `petId`, URL-encoded; unknown names stay as written. */
export function interpolateUri(uri: string, input: unknown): string {
  return uri.replace(/\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g, (whole, name: string) => {
    const v = isObject(input) ? input[name] : undefined;
    return v === undefined || v === null ? whole : encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v));
  });
}

export function idempotencyKey(runId: string, pointer: string, loop: readonly number[]): string {
  return [runId, pointer, ...loop].join(':');
}

/** The idempotency key of the request the task `rt` runs (see the header). */
export function requestKey(rt: TaskRuntime, pointer: string): string {
  return idempotencyKey(rt.runId, [...callSites(rt.scope), pointer].join('>'), rt.scope.loop);
}

export function communicationError(instance: string, status: number, detail: string, title?: string): WorkflowError {
  return new WorkflowError({ type: ErrorTypes.communication, status, title: title || STATUS_CODES[status] || `HTTP ${status}`, detail, instance });
}

export interface HttpRequestSpec {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  /** a string is sent as it is; anything else as JSON (unless `headers` set a content-type and the body is a string) */
  body?: unknown;
  output?: HttpOutput;
  redirect?: boolean;
  auth?: ResolvedAuthentication;
  /** asked for a fresh authorization when the server answers 401 to a cached token */
  reauthenticate?: () => Promise<ResolvedAuthentication | undefined>;
}

/** Sends one request and returns the call's output (content, response or raw), faulting on a failure status. */
export async function httpRequest(rt: TaskRuntime, instance: string, spec: HttpRequestSpec): Promise<unknown> {
  const method = spec.method.toUpperCase();
  const url = spec.url;
  const headers: Record<string, string> = { ...spec.headers };
  const has = (name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);
  headers['Idempotency-Key'] = requestKey(rt, instance);
  let body: string | undefined;
  if (spec.body !== undefined && spec.body !== null && method !== 'GET' && method !== 'HEAD') {
    if (typeof spec.body === 'string') body = spec.body;
    else {
      body = JSON.stringify(spec.body);
      if (!has('content-type')) headers['Content-Type'] = 'application/json';
    }
  }
  const explicitAuthorization = has('authorization');
  const doFetch = rt.options.fetch ?? globalThis.fetch;
  let auth = spec.auth;
  let res: Response;
  for (let attempt = 0; ; attempt++) {
    if (auth && !explicitAuthorization) headers.Authorization = authorizationHeader(auth.authorization);
    try {
      res = await doFetch(url, { method, headers, body, signal: rt.scope.signal, redirect: spec.redirect ? 'follow' : 'manual' });
    } catch (e) {
      if (rt.scope.signal.aborted) throw rt.scope.signal.reason;
      const cause = (e as { cause?: Error }).cause;
      throw communicationError(instance, 503, `${method} ${url.href} failed: ${(e as Error).message}${cause ? ` (${cause.message})` : ''}.`, 'Service Unavailable');
    }
    // a cached token the server no longer accepts (revoked, clock skew): once more with a new one
    if (res.status === 401 && attempt === 0 && auth?.invalidate && spec.reauthenticate && !explicitAuthorization) {
      auth.invalidate();
      await res.arrayBuffer().catch(() => undefined);
      auth = await spec.reauthenticate();
      continue;
    }
    break;
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  let content: unknown = bytes.toString('utf8');
  if (/[/+]json\b/i.test(type) && bytes.length > 0) {
    try {
      content = JSON.parse(content as string);
    } catch {
      // not JSON after all: keep the text
    }
  }
  const highest = spec.redirect ? 399 : 299;
  if (res.status < 200 || res.status > highest) {
    const snippet = typeof content === 'string' ? content.slice(0, 200) : JSON.stringify(content).slice(0, 200);
    throw communicationError(instance, res.status, `${method} ${url.href} answered ${res.status}${snippet ? `: ${snippet}` : ''}.`, res.statusText);
  }
  switch (spec.output ?? 'content') {
    case 'raw':
      return bytes.toString('base64');
    case 'response':
      return {
        request: { method, uri: url.href, headers },
        statusCode: res.status,
        headers: Object.fromEntries(res.headers.entries()),
        content,
      };
    default:
      return content;
  }
}

export const callHttpTask: TaskExecutor = async (task, input, rt) => {
  const authAt = `${task.pointer}/with/endpoint/authentication`;
  const rawEndpoint = (task.definition.with as Obj | undefined)?.endpoint;
  const hasAuth = isObject(rawEndpoint) && rawEndpoint.authentication !== undefined;
  let auth = hasAuth ? await resolveAuthentication(rt, authAt, input) : undefined;
  const w = rt.value('/with', input, auth ? { $authorization: auth.authorization } : {}) as HttpArgs;
  const endpoint = typeof w.endpoint === 'string' ? { uri: w.endpoint } : w.endpoint;
  // an endpoint computed by an expression may carry its authentication too
  if (!hasAuth && isObject(endpoint) && endpoint.authentication !== undefined) auth = await resolveAuthentication(rt, authAt, input, endpoint.authentication);
  let url: URL;
  try {
    url = new URL(interpolateUri(String(endpoint.uri), input));
  } catch {
    throw new WorkflowError({ type: ErrorTypes.configuration, status: 400, title: 'Invalid endpoint', detail: `${JSON.stringify(endpoint.uri)} is not a valid URL.`, instance: task.pointer });
  }
  url = serviceUrl(rt, url);
  if (isObject(w.query)) for (const [k, v] of Object.entries(w.query)) if (v !== undefined && v !== null) url.searchParams.append(k, String(v));
  const headers: Record<string, string> = {};
  if (isObject(w.headers)) for (const [k, v] of Object.entries(w.headers)) headers[k] = String(v);
  const output = await httpRequest(rt, task.pointer, {
    method: String(w.method),
    url,
    headers,
    body: w.body,
    output: w.output,
    redirect: w.redirect,
    auth,
    reauthenticate: () => resolveAuthentication(rt, authAt, input, hasAuth ? undefined : endpoint.authentication),
  });
  return { output };
};
