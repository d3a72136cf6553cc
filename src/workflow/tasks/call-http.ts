// `call: http`: one HTTP request through the run's fetch. `{name}` in the endpoint is replaced
// by that property of the task input; JSON responses are parsed; a non-2xx answer (3xx too
// unless `redirect: true`) faults with a communication error carrying the status. Every request
// carries `Idempotency-Key: <runId>:<task pointer>[:<loop index>…]`, the same on every retry.

import { STATUS_CODES } from 'node:http';
import { ErrorTypes, WorkflowError } from '../errors.js';
import type { TaskExecutor, TaskRuntime } from '../engine/types.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface HttpArgs {
  method: string;
  endpoint: string | { uri: string; authentication?: unknown };
  headers?: Record<string, unknown>;
  body?: unknown;
  query?: Record<string, unknown>;
  output?: 'content' | 'response' | 'raw';
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

function authorization(rt: TaskRuntime, auth: unknown, pointer: string): string | undefined {
  let a = auth;
  if (isObject(a) && typeof a.use === 'string') {
    const use = isObject(rt.def.raw.use) && isObject(rt.def.raw.use.authentications) ? rt.def.raw.use.authentications : {};
    a = rt.valueAt(`/use/authentications/${a.use.replace(/~/g, '~0').replace(/\//g, '~1')}`, null);
    if (!isObject(a)) a = use[(auth as Obj).use as string];
  }
  if (!isObject(a)) return undefined;
  if (isObject(a.basic)) return `Basic ${Buffer.from(`${String(a.basic.username ?? '')}:${String(a.basic.password ?? '')}`).toString('base64')}`;
  if (isObject(a.bearer)) return `Bearer ${String(a.bearer.token ?? '')}`;
  throw new WorkflowError({ type: ErrorTypes.configuration, status: 400, title: 'Authentication not supported', detail: `not supported yet: authentication ${Object.keys(a).join(', ')} (basic and bearer are).`, instance: pointer });
}

function communicationError(instance: string, status: number, detail: string, title?: string): WorkflowError {
  return new WorkflowError({ type: ErrorTypes.communication, status, title: title || STATUS_CODES[status] || `HTTP ${status}`, detail, instance });
}

export const callHttpTask: TaskExecutor = async (task, input, rt) => {
  const w = rt.value('/with', input) as HttpArgs;
  const endpoint = typeof w.endpoint === 'string' ? { uri: w.endpoint } : w.endpoint;
  let url: URL;
  try {
    url = new URL(interpolateUri(String(endpoint.uri), input));
  } catch {
    throw new WorkflowError({ type: ErrorTypes.configuration, status: 400, title: 'Invalid endpoint', detail: `${JSON.stringify(endpoint.uri)} is not a valid URL.`, instance: task.pointer });
  }
  if (url.protocol === 'http:' && rt.options.resolveService) {
    const base = rt.options.resolveService(url.hostname);
    if (base) url = new URL(url.pathname + url.search, base);
  }
  if (isObject(w.query)) for (const [k, v] of Object.entries(w.query)) if (v !== undefined && v !== null) url.searchParams.append(k, String(v));
  const method = String(w.method).toUpperCase();
  const headers: Record<string, string> = {};
  if (isObject(w.headers)) for (const [k, v] of Object.entries(w.headers)) headers[k] = String(v);
  const auth = authorization(rt, endpoint.authentication, task.pointer);
  if (auth) headers.Authorization = auth;
  headers['Idempotency-Key'] = idempotencyKey(rt.runId, task.pointer, rt.scope.loop);
  let body: string | undefined;
  if (w.body !== undefined && w.body !== null && method !== 'GET' && method !== 'HEAD') {
    if (typeof w.body === 'string') body = w.body;
    else {
      body = JSON.stringify(w.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
  }
  const doFetch = rt.options.fetch ?? globalThis.fetch;
  let res: Response;
  try {
    res = await doFetch(url, { method, headers, body, signal: rt.scope.signal, redirect: w.redirect ? 'follow' : 'manual' });
  } catch (e) {
    if (rt.scope.signal.aborted) throw rt.scope.signal.reason;
    throw communicationError(task.pointer, 503, `${method} ${url.href} failed: ${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause: Error }).cause.message})` : ''}.`, 'Service Unavailable');
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
  if (res.status < 200 || res.status > 299) {
    const snippet = typeof content === 'string' ? content.slice(0, 200) : JSON.stringify(content).slice(0, 200);
    throw communicationError(task.pointer, res.status, `${method} ${url.href} answered ${res.status}${snippet ? `: ${snippet}` : ''}.`, res.statusText);
  }
  switch (w.output ?? 'content') {
    case 'raw':
      return { output: bytes.toString('base64') };
    case 'response':
      return {
        output: {
          request: { method, uri: url.href, headers },
          statusCode: res.status,
          headers: Object.fromEntries(res.headers.entries()),
          content,
        },
      };
    default:
      return { output: content };
  }
};
