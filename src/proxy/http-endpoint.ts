// The layer-7 side of a stable endpoint: an HTTP/1.1 keep-alive reverse proxy that picks each
// request's instance with the service's Balancer and feeds every outcome back to it. A request
// that can be replayed (docs/balancing.md, "Retries") and fails before any response byte (the
// connect failed, or the connection was reset) is retried once on another instance.
//
// Node's http server takes the clients' requests (its parser is the hardened one, and the
// daemon already depends on it); undici sends them on, one Pool per instance (upstream-pools.ts).
// Hot path: one targets() call, one pick, one Exchange object that is itself undici's handler
// (no closures, no promise, no stream per request), header arrays passed through flat.

import http from 'node:http';
import type { Dispatcher } from 'undici';
import type { Outcome } from '../core/index.js';
import { forwardRequestHeaders, forwardResponseHeaders } from './forward-headers.js';
import type { ProxyContext } from './proxy-context.js';
import type { Target } from './types.js';
import { UpstreamPools } from './upstream-pools.js';

/** Methods safe to send twice by definition; others need an idempotency key to be retried. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Largest body buffered so that a keyed request can be replayed; larger ones are streamed. */
export const MAX_REPLAY_BODY = 64 * 1024;
/** Errors before any response byte after which the instance surely did not answer. */
const RETRYABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT',
  // the instance's pool was closed (it left the targets) before the request was sent
  'UND_ERR_CLOSED',
]);
/** undici's refusals of the request itself: the client's doing, not the instance's. */
const REFUSED_REQUEST = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH']);

/** How a request's body is sent: none at all, buffered (so replayable), or streamed (not). */
const enum Body { None, Buffered, Streamed }

/** A response that knows its exchange: a field set in the constructor keeps one object shape. */
class ProxyResponse extends http.ServerResponse<http.IncomingMessage> {
  exchange: Exchange | null = null;
}

export interface HttpProxy {
  server: http.Server<typeof http.IncomingMessage, typeof ProxyResponse>;
  pools: UpstreamPools;
}

export function createHttpProxy(ctx: ProxyContext): HttpProxy {
  const pools = new UpstreamPools();
  // requestTimeout 0: an upload lasts as long as the client sends (the 60 s headersTimeout still
  // guards against clients that never finish their headers)
  const server = http.createServer({ requestTimeout: 0, noDelay: true, ServerResponse: ProxyResponse }, (req, res) => {
    const targets = ctx.targets();
    const target = targets.length > 0 ? ctx.pick(targets, undefined) : undefined;
    if (target === undefined) return sendError(res, 503, `no ready instance of service ${ctx.service}`);
    const ex = new Exchange(ctx, pools, req, res);
    if (ex.body !== Body.Buffered) return ex.send(target);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      ex.buffered = Buffer.concat(chunks);
      ex.send(target);
    });
  });
  server.keepAliveTimeout = 5000;
  return { server, pools };
}

/** One client request on its way, across at most two attempts; undici's handler for each. */
class Exchange implements Dispatcher.DispatchHandler {
  readonly body: Body;
  readonly replayable: boolean;
  readonly headers: string[];
  buffered: Buffer | null = null;
  private retried = false;
  /** the client went away before its response was written out */
  private clientGone = false;
  /** the current attempt */
  private target: Target | undefined = undefined;
  private done: ((outcome: Outcome) => void) | undefined = undefined;
  private startedAt = 0;
  private abort: ((err?: Error) => void) | null = null;
  /** undici's resume of the paused response body, run when the client drained */
  private resume: (() => void) | null = null;
  /** set once an instance answered: reported when the response ends */
  private answered = false;
  private status = 0;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly pools: UpstreamPools,
    private readonly req: http.IncomingMessage,
    private readonly res: ProxyResponse,
  ) {
    // the fields are read from rawHeaders alone: req.headers would build an object per request
    const { headers, keyed, contentLength, chunked } = forwardRequestHeaders(req.rawHeaders, req.socket.remoteAddress ?? '', 'http');
    this.headers = headers;
    const replayableMethod = IDEMPOTENT.has(req.method ?? '') || keyed;
    if (!chunked && contentLength <= 0) this.body = Body.None;
    else if (replayableMethod && !chunked && contentLength <= MAX_REPLAY_BODY) this.body = Body.Buffered;
    else this.body = Body.Streamed;
    this.replayable = replayableMethod && this.body !== Body.Streamed;
    res.exchange = this;
    res.on('close', onResponseClose); // `on`, not `once`: a response closes once, and once() wraps
  }

  send(target: Target): void {
    this.target = target;
    this.done = this.ctx.balancer.begin(target.id);
    this.startedAt = performance.now();
    this.abort = null;
    const body = this.body === Body.None ? null : this.body === Body.Buffered ? this.buffered : this.req;
    this.pools.get(target).dispatch({ path: this.req.url ?? '/', method: this.req.method ?? 'GET', headers: this.headers, body }, this);
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.clientGone) abort();
    else this.abort = abort;
  }

  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (status < 200) return true; // interim (1xx): the final answer follows
    this.done!({ ok: status < 500, latencyMs: performance.now() - this.startedAt });
    this.answered = true;
    this.status = status;
    if (this.clientGone) {
      this.abort?.();
      return false;
    }
    this.resume = resume;
    this.res.writeHead(status, statusText || undefined, forwardResponseHeaders(rawHeaders));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.resume!); // backpressure: the instance waits for the client
    return false;
  }

  onComplete(): void {
    this.res.end();
  }

  onError(err: Error): void {
    if (this.answered) {
      // the body broke off: nothing to fix (unless the client already has all of it)
      if (!this.res.writableEnded) this.res.destroy();
      return;
    }
    const target = this.target!;
    const latencyMs = performance.now() - this.startedAt;
    // the client left, or broke off its upload (undici passes on the body's own error): not the instance's fault
    if (this.clientGone || this.req.errored === err) return this.done!({ ok: true, latencyMs });
    const code = errorCode(err);
    if (REFUSED_REQUEST.has(code)) {
      this.done!({ ok: true, latencyMs });
      return sendError(this.res, 400, `the request to service ${this.ctx.service} could not be forwarded: ${err.message}`);
    }
    this.done!({ ok: false, latencyMs });
    this.ctx.report(target.id, this.req.method ?? '', 0, this.startedAt, code);
    if (!this.retried && this.replayable && RETRYABLE.has(code)) {
      this.retried = true;
      // the targets now, not those of the request's start: during a rolling update the failed
      // instance may be the old one, and the new one may have become ready meanwhile
      const other = this.ctx.pick(this.ctx.targets(), new Set([target.id]));
      if (other !== undefined) return this.send(other);
    }
    sendError(this.res, 502, `instance ${target.id} of service ${this.ctx.service} failed: ${code}`);
  }

  /** The client's response closed: finished (report it) or cut short (cancel the instance's work). */
  closed(): void {
    if (!this.res.writableFinished) {
      this.clientGone = true;
      this.abort?.();
    }
    if (this.answered) this.ctx.report(this.target!.id, this.req.method ?? '', this.status, this.startedAt, undefined);
  }
}

// one function for every response rather than a closure per request
function onResponseClose(this: ProxyResponse): void {
  this.exchange?.closed();
}

/**
 * The error's name as outcomes and 502s show it. undici reports a connection the instance
 * closed before answering as UND_ERR_SOCKET; node:http called that ECONNRESET, and so do we.
 */
function errorCode(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'UND_ERR_SOCKET') return 'ECONNRESET';
  return code ?? err.message;
}

export function sendError(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent || res.destroyed) return void res.destroy();
  const body = JSON.stringify({ error: message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
