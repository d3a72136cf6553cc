// One HTTP exchange with the control plane: URL and query building, the bearer token, timeouts,
// and turning every failure into a TuttiError (the server's own answer, or "unreachable").

import { TuttiError, type TuttiErrorJSON } from '../core/index.js';

export type Query = Record<string, string | number | boolean | Array<string | number> | undefined>;

export interface TransportOptions {
  url: string;
  token: string;
  fetch?: typeof fetch;
  /** for answers that are not streams, and for a stream's first byte; default 30 s */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

const UNREACHABLE_HINT = 'is the daemon running? `tutti up` or `tutti server` starts one; its address is in .tutti/daemon.json';

function isErrorJSON(v: unknown): v is TuttiErrorJSON {
  return typeof v === 'object' && v !== null && typeof (v as TuttiErrorJSON).code === 'string' && typeof (v as TuttiErrorJSON).message === 'string';
}

export class Transport {
  readonly base: string;
  private readonly token: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;

  constructor(opts: TransportOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.token = opts.token;
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
    }
    const qs = params.toString();
    return `${this.base}${path}${qs ? `?${qs}` : ''}`;
  }

  /** A JSON request; resolves with the parsed answer of a 2xx. `timeoutMs` overrides the
   *  client's for one call (a blocking query is held by the server on purpose). */
  async json<T>(method: string, path: string, opts: { query?: Query; body?: unknown; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const res = await this.send(method, this.url(path, opts.query), { accept: 'application/json' }, signal, opts.body, timeoutMs);
    const text = await res.text().catch((e: unknown) => {
      throw this.failure(e, signal, timeoutMs);
    });
    return this.parse<T>(res, text);
  }

  /** Opens an event stream; the timeout covers only the wait for the answer's headers. */
  async stream(path: string, opts: { query?: Query; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    const headersTimeout = new AbortController();
    const timer = setTimeout(() => headersTimeout.abort(new DOMException('timed out', 'TimeoutError')), this.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, headersTimeout.signal]) : headersTimeout.signal;
    try {
      const res = await this.send('GET', this.url(path, opts.query), { accept: 'text/event-stream', ...opts.headers }, signal);
      if (!res.ok) this.parse(res, await res.text().catch(() => ''));
      if (!res.body) throw new TuttiError('TUTTI_E_INTERNAL', 'the control plane answered an event stream without a body');
      return res;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Maps a failed read of a stream body (after the headers) to a TuttiError. */
  streamFailure(err: unknown): TuttiError {
    if (err instanceof TuttiError) return err;
    return new TuttiError('TUTTI_E_DAEMON_UNREACHABLE', `lost the connection to the tutti control plane at ${this.base}`, {
      hint: UNREACHABLE_HINT,
      cause: err,
    });
  }

  private async send(
    method: string,
    url: string,
    headers: Record<string, string>,
    signal: AbortSignal,
    body?: unknown,
    timeoutMs = this.timeoutMs,
  ): Promise<Response> {
    const h: Record<string, string> = { authorization: `Bearer ${this.token}`, ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    try {
      return await this.fetchFn(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (e) {
      throw this.failure(e, signal, timeoutMs);
    }
  }

  private failure(e: unknown, signal: AbortSignal, timeoutMs = this.timeoutMs): unknown {
    const reason = signal.reason as { name?: string } | undefined;
    if (signal.aborted && reason?.name === 'TimeoutError') {
      return new TuttiError('TUTTI_E_DAEMON_UNREACHABLE', `the tutti control plane at ${this.base} did not answer within ${timeoutMs / 1000}s`, {
        hint: 'it may be overloaded or stuck; its log is .tutti/daemon.log',
        cause: e,
      });
    }
    // the caller's own abort is not a failure of the daemon: let it through as it is
    if (signal.aborted) return e;
    return new TuttiError('TUTTI_E_DAEMON_UNREACHABLE', `cannot reach the tutti control plane at ${this.base}`, {
      hint: UNREACHABLE_HINT,
      cause: e,
    });
  }

  private parse<T>(res: Response, text: string): T {
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (res.ok && body !== undefined) return body as T;
    if (!res.ok && isErrorJSON(body)) throw TuttiError.fromJSON(body);
    throw new TuttiError(
      'TUTTI_E_INTERNAL',
      res.ok
        ? `the control plane at ${this.base} answered ${res.status} without a JSON body`
        : `the control plane at ${this.base} answered ${res.status} ${res.statusText}`.trim(),
      { hint: `is ${this.base} a tutti control plane? check the address in .tutti/daemon.json` },
    );
  }
}
