// The plumbing every shop service shares, so each service file shows only its own logic:
// JSON replies, one log line per request, GET /healthz, calls to other services with a
// timeout, and a graceful shutdown on SIGTERM (stop intake, finish in-flight requests, exit 0).
import http from 'node:http';

const GRACE_MS = 2000;

export function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Reads a JSON request body; a malformed body is the client's fault (400), not ours. */
export async function readJson(req, limit = 64 * 1024) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'request body too large');
    chunks.push(chunk);
  }
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

export class HttpError extends Error {
  constructor(status, message, details) {
    super(message);
    this.status = status;
    this.details = details;
  }
}

/** The URL of a dependency, injected by tutti as <DEP>_URL; without it the service cannot work. */
export function dependencyUrl(name) {
  const url = process.env[name];
  if (!url) {
    console.error(`${name} is not set: start this service with tutti, or set ${name} by hand`);
    process.exit(2);
  }
  return url.replace(/\/+$/, '');
}

/**
 * Calls another service and returns { status, body }. Network failures and timeouts become a
 * 502/504 HttpError so the caller's client sees which dependency failed.
 */
export async function callJson(baseUrl, path, { method = 'GET', body, timeoutMs = 2000 } = {}) {
  let res;
  try {
    res = await fetch(baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut = err?.name === 'TimeoutError';
    throw new HttpError(timedOut ? 504 : 502, `${method} ${baseUrl}${path} ${timedOut ? 'timed out' : 'failed'}: ${err?.cause?.code ?? err.message}`);
  }
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed };
}

/**
 * Starts the service. `handle(req, res, url)` returns false when no route matched (404).
 * `ready()` decides what /healthz answers: 200 {"status":"ok"} or 503 {"status":"starting"}.
 */
export function serve({ name, handle, ready = () => true, onShutdown = () => {} }) {
  const instance = process.env.TUTTI_INSTANCE ?? `${name}-local`;
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 0);

  let stopping = false;
  const server = http.createServer(async (req, res) => {
    const started = performance.now();
    res.on('finish', () => {
      // health probes arrive every second; logging them would drown the lines that matter
      if (req.url !== '/healthz' || res.statusCode !== 200) {
        console.log(`${req.method} ${req.url} ${res.statusCode} ${Math.round(performance.now() - started)}ms`);
      }
      // A keep-alive connection that was busy when shutdown began turns idle only now.
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
    const url = new URL(req.url ?? '/', 'http://local');
    try {
      if (url.pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
        return ready() ? json(res, 200, { status: 'ok' }) : json(res, 503, { status: 'starting' });
      }
      if ((await handle(req, res, url)) === false) json(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) console.error(err);
      if (!res.headersSent) json(res, status, { error: err.message, ...(err.details ?? {}) });
      else res.destroy();
    }
  });

  server.on('error', (err) => {
    console.error(`${name} cannot listen on ${host}:${port}: ${err.code ?? err.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    const { port: bound } = server.address();
    console.log(`${name} listening on http://${host}:${bound} (instance ${instance}, pid ${process.pid})`);
  });

  const shutdown = (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, draining`);
    onShutdown();
    // close() stops intake and calls back once in-flight requests are done; idle keep-alive
    // sockets would otherwise hold it open until they time out.
    server.close(() => {
      console.log('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => {
      console.log(`requests still open after ${GRACE_MS}ms, closing them`);
      server.closeAllConnections();
      process.exit(0);
    }, GRACE_MS).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return server;
}
