// A service's stable local endpoint: a port that outlives the service's instances, balancing
// each request (http) or connection (tcp) over the instances that may receive traffic now.
// `<DEP>_URL` points here, so dependents never see instance ports come and go during rolling
// updates and restarts. The balancing itself is core/qos's Balancer; this file owns the
// listening socket, the remembered port and the forgetting of instances that are gone.

import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createBalancer, DEFAULT_SELECTION } from '../core/index.js';
import { createHttpProxy } from './http-endpoint.js';
import type { ProxyContext } from './proxy-context.js';
import { createTcpProxy } from './tcp-endpoint.js';
import type { EndpointOptions, RequestOutcome, ServiceEndpoint, Target } from './types.js';

/** How often the state of instances that left the targets is dropped. */
const SWEEP_MS = 5000;

export async function startEndpoint(opts: EndpointOptions): Promise<ServiceEndpoint> {
  const protocol = opts.protocol ?? 'http';
  const balancer = createBalancer(opts.selection ?? DEFAULT_SELECTION);
  const known = new Set<string>();
  const { onOutcome, service } = opts;

  const ctx: ProxyContext = {
    service,
    balancer,
    targets: opts.targets,
    onOutcome,
    pick(targets, exclude) {
      const t = balancer.pick(targets, exclude) as Target | undefined;
      if (t !== undefined) known.add(t.id);
      return t;
    },
    report(instance, method, status, startedAt, error) {
      if (!onOutcome) return;
      const durationSeconds = (performance.now() - startedAt) / 1000;
      const outcome: RequestOutcome = error === undefined
        ? { service, instance, method, status, durationSeconds }
        : { service, instance, method, status, durationSeconds, error };
      try {
        onOutcome(outcome);
      } catch {
        // a metrics hook must never break the traffic it measures
      }
    },
  };

  /** the http proxy's connections to an instance, closed once it is gone */
  let forgetConnections: (id: string) => void = () => {};
  /** Forgets what the balancer learnt of instances no longer among the targets. */
  const sweep = (targets: Target[]): void => {
    if (known.size === 0) return;
    const current = new Set(targets.map((t) => t.id));
    for (const id of known) {
      if (!current.has(id)) {
        balancer.forget(id);
        forgetConnections(id);
        known.delete(id);
      }
    }
  };
  const timer = setInterval(() => sweep(opts.targets()), SWEEP_MS);
  timer.unref();

  let server: net.Server;
  let closeConnections: () => void;
  if (protocol === 'tcp') {
    const tcp = createTcpProxy(ctx);
    server = tcp.server;
    closeConnections = () => { for (const s of tcp.sockets) s.destroy(); };
  } else {
    const h = createHttpProxy(ctx);
    server = h.server;
    forgetConnections = (id) => h.pools.forget(id);
    closeConnections = () => { h.server.closeAllConnections(); void h.pools.destroy(); };
  }

  let port: number;
  try {
    port = await listen(server, opts.host, opts.port).catch(async (err: NodeJS.ErrnoException) => {
      // a remembered port taken by someone else: a new port beats no endpoint (the caller saves it)
      if (opts.port !== 0 && err.code === 'EADDRINUSE') return listen(server, opts.host, 0);
      throw err;
    });
  } catch (err) {
    clearInterval(timer);
    throw err;
  }

  const scheme = protocol === 'tcp' ? 'tcp' : 'http';
  const urlHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    service,
    protocol,
    port,
    url: `${scheme}://${urlHost}:${port}`,
    scores() {
      const targets = opts.targets();
      sweep(targets);
      return balancer.scores(targets);
    },
    configure(selection) {
      balancer.configure(selection);
    },
    async close() {
      clearInterval(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        closeConnections();
      });
    },
  };
}

function listen(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
