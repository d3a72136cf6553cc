// The layer-4 side of a stable endpoint (`protocol: tcp`): each accepted connection is piped
// to an instance picked by the Balancer, so balancing is per connection. A connect that fails
// is retried once on another instance: nothing was sent yet (the client's socket stays paused
// until the instance accepts), so this is always safe.
//
// Outcomes: a failed connect is a failure; a connection that was accepted reports ok when it
// closes, with the connect time as its latency. Reporting at close keeps the connection "in
// flight" while it is open, so the load term and least-request count open connections.

import net from 'node:net';
import type { ProxyContext } from './proxy-context.js';
import type { Target } from './types.js';

export function createTcpProxy(ctx: ProxyContext): { server: net.Server; sockets: Set<net.Socket> } {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };

  const connect = (client: net.Socket, targets: Target[], target: Target, retried: boolean): void => {
    const done = ctx.balancer.begin(target.id);
    const t0 = performance.now();
    let connectMs = -1;
    let failed = false;
    const up = net.connect({ host: target.address, port: target.port, allowHalfOpen: true });
    track(up);
    const dropUpstream = () => up.destroy();
    client.once('close', dropUpstream); // the client is gone: nothing more can be delivered
    up.once('connect', () => {
      connectMs = performance.now() - t0;
      up.setNoDelay(true);
      up.pipe(client);
      client.pipe(up);
      client.resume();
    });
    up.on('error', (err: NodeJS.ErrnoException) => {
      if (connectMs >= 0) return void client.destroy(); // reset mid-connection
      failed = true;
      done({ ok: false, latencyMs: performance.now() - t0 });
      const code = err.code ?? err.message;
      ctx.report(target.id, 'CONNECT', 0, t0, code);
      client.off('close', dropUpstream);
      if (!retried && !client.destroyed) {
        const other = ctx.pick(ctx.targets(), new Set([target.id])); // the targets now (see http-endpoint.ts)
        if (other) return connect(client, targets, other, true);
      }
      client.destroy();
    });
    up.once('close', (hadError) => {
      if (failed) return;
      if (connectMs < 0) return void done({ ok: true, latencyMs: performance.now() - t0 }); // the client left first
      done({ ok: true, latencyMs: connectMs });
      ctx.report(target.id, 'CONNECT', 200, t0, undefined);
      if (hadError) client.destroy();
    });
  };

  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    track(client);
    client.on('error', () => client.destroy()); // a client reset: its 'close' drops the upstream side
    client.setNoDelay(true);
    const targets = ctx.targets();
    const target = targets.length > 0 ? ctx.pick(targets, undefined) : undefined;
    if (!target) return void client.destroy();
    connect(client, targets, target, false);
  });
  return { server, sockets };
}
