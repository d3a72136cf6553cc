// A service's stable local endpoint: an HTTP/1.1 reverse proxy on a port that outlives the
// service's instances, balancing each request over the instances that are ready right now.
// `<DEP>_URL` points here, so dependents never see instance ports come and go during
// rolling updates and restarts. An idempotent request whose instance refuses the connection
// (or drops a reused keep-alive socket) is retried once on another instance.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Target {
  id: string;
  address: string;
  port: number;
}

export interface EndpointOptions {
  service: string;
  host: string;
  /** 0 = any free port; a remembered port is tried first */
  port: number;
  /** ready instances of the service, in a stable order */
  targets: () => Target[];
}

export interface ServiceEndpoint {
  readonly service: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];
const RETRYABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

export async function startEndpoint(opts: EndpointOptions): Promise<ServiceEndpoint> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;

  const pick = (exclude?: string): Target | undefined => {
    const all = opts.targets().filter((t) => t.id !== exclude);
    if (all.length === 0) return undefined;
    next = (next + 1) % all.length;
    return all[next];
  };

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, target: Target, retried: boolean): void => {
    const headers = { ...req.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    headers['x-forwarded-host'] = req.headers.host ?? '';
    const upstream = http.request(
      { host: target.address, port: target.port, method: req.method, path: req.url, headers, agent },
      (up) => {
        const out = { ...up.headers };
        for (const h of HOP_BY_HOP) delete out[h];
        res.writeHead(up.statusCode ?? 502, up.statusMessage, out);
        up.pipe(res);
        up.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (res.headersSent) return void res.destroy();
      const canRetry = !retried && IDEMPOTENT.has(req.method ?? '') && RETRYABLE.has(err.code ?? '');
      const other = canRetry ? pick(target.id) ?? target : undefined;
      if (other) return forward(req, res, other, true);
      sendError(res, 502, `instance ${target.id} of ${opts.service} failed: ${err.code ?? err.message}`);
    });
    req.pipe(upstream);
  };

  const server = http.createServer((req, res) => {
    const target = pick();
    if (!target) return sendError(res, 503, `no ready instance of service ${opts.service}`);
    forward(req, res, target, false);
  });
  server.keepAliveTimeout = 5000;

  const port = await listen(server, opts.host, opts.port).catch(async (err: NodeJS.ErrnoException) => {
    if (opts.port !== 0 && err.code === 'EADDRINUSE') return listen(server, opts.host, 0);
    throw err;
  });

  return {
    service: opts.service,
    port,
    url: `http://${opts.host}:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
}

function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function sendError(res: http.ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
