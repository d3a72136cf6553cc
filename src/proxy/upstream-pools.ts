// The HTTP endpoint's connections to the instances: one undici Pool of keep-alive connections
// per instance, made on the first request it gets and closed once the instance leaves the
// targets (or moves to another address). undici rather than node:http's Agent: its client does
// less per request (no IncomingMessage/ClientRequest streams, a wasm parser handing over raw
// headers), which measured about 1.5× the requests/s of the Agent-based proxy (bench/discovery.js).

import { createRequire } from 'node:module';
import type { Pool as UndiciPool } from 'undici';
import type { Target } from './types.js';

// The Pool alone: the package's index also loads fetch, WebSocket, the cache and the proxy
// agents, which cost the daemon about 8 MiB more resident memory (measured with node -e).
const Pool: typeof UndiciPool = createRequire(import.meta.url)('undici/lib/dispatcher/pool.js');
type Pool = UndiciPool;
type PoolOptions = UndiciPool.Options;

const POOL_OPTIONS: PoolOptions = {
  // as many connections as requests in flight, like the Agent before: a cap would queue
  // requests behind slow ones, which the balancer's load terms do not see
  connections: null,
  // one request at a time per connection: a slow response must not hold up the next
  pipelining: 1,
  // idle connections close before Node's default 5 s server keepAliveTimeout; undici also
  // honours an instance's `Keep-Alive: timeout=N` hint, minus keepAliveTimeoutThreshold
  keepAliveTimeout: 4000,
  // long polls and event streams stay open as long as both ends want; the client decides
  headersTimeout: 0,
  bodyTimeout: 0,
};

interface Entry {
  address: string;
  port: number;
  pool: Pool;
}

export class UpstreamPools {
  private readonly byId = new Map<string, Entry>();

  /** The pool to `target`, made if needed (or remade if the instance's address changed). */
  get(target: Target): Pool {
    const entry = this.byId.get(target.id);
    if (entry !== undefined && entry.port === target.port && entry.address === target.address) return entry.pool;
    if (entry !== undefined) void entry.pool.close().catch(() => {});
    const host = target.address.includes(':') ? `[${target.address}]` : target.address;
    const pool = new Pool(`http://${host}:${target.port}`, POOL_OPTIONS);
    this.byId.set(target.id, { address: target.address, port: target.port, pool });
    return pool;
  }

  /** Closes the connections to an instance that left, once its requests in flight ended. */
  forget(id: string): void {
    const entry = this.byId.get(id);
    if (entry === undefined) return;
    this.byId.delete(id);
    void entry.pool.close().catch(() => {});
  }

  /** Drops every connection now (the endpoint closes). */
  destroy(): Promise<void> {
    const pools = [...this.byId.values()].map((e) => e.pool.destroy().catch(() => {}));
    this.byId.clear();
    return Promise.all(pools).then(() => {});
  }
}
