// Every request the dashboard makes: same-origin with the session cookie, the header that
// proves a write comes from the dashboard (X-Tutti-Request, the CSRF guard), and failures
// turned into ApiErrors carrying the server's code, message and hint. A 401 means the session
// is gone: listeners (the app shell) show the login form.

import type { ApiErrorBody } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const unauthorised = new Set<() => void>();

/** Called whenever the API answers 401 (the session expired or was ended). */
export function onUnauthorised(listener: () => void): () => void {
  unauthorised.add(listener);
  return () => unauthorised.delete(listener);
}

export function notifyUnauthorised(): void {
  for (const l of unauthorised) l();
}

export type Query = Record<string, string | number | boolean | undefined | Array<string | number>>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export async function api<T>(method: string, path: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'x-tutti-request': '1' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'TUTTI_E_DAEMON_UNREACHABLE', 'the control plane cannot be reached', 'is the daemon running? `tutti up` starts it');
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) return body as T;
  const e = (body ?? {}) as Partial<ApiErrorBody>;
  if (res.status === 401) notifyUnauthorised();
  throw new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? `${method} ${path} failed with HTTP ${res.status}`, e.hint);
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal) => api<T>('GET', path, { query, signal });
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, { body });
