// Failed logins counted per client address, so the public login form cannot be used to guess
// tokens at network speed: after `maxFailures` wrong tokens within `windowMs`, the address is
// refused (429, Retry-After) until its window ends. A successful login does not count. The
// table is bounded: expired windows are dropped, and when it is full the oldest entry goes.

export interface LoginThrottleOptions {
  /** failed attempts allowed per address and window; default 10 */
  maxFailures?: number;
  /** the window, from an address's first failure; default 1 min */
  windowMs?: number;
  /** addresses tracked at most (the oldest goes first); default 10 000 */
  maxClients?: number;
  now?: () => number;
}

interface Window {
  start: number;
  failures: number;
}

export class LoginThrottle {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;
  // insertion order: the first entry is the oldest window
  private readonly clients = new Map<string, Window>();

  constructor(opts: LoginThrottleOptions = {}) {
    this.maxFailures = opts.maxFailures ?? 10;
    this.windowMs = opts.windowMs ?? 60_000;
    this.maxClients = opts.maxClients ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Seconds `client` must wait before trying again, or undefined when it may try now. */
  retryAfter(client: string): number | undefined {
    const w = this.current(client);
    if (!w || w.failures < this.maxFailures) return undefined;
    return Math.max(1, Math.ceil((w.start + this.windowMs - this.now()) / 1000));
  }

  /** Counts a failed attempt from `client`. */
  fail(client: string): void {
    const w = this.current(client);
    if (w) {
      w.failures += 1;
      return;
    }
    const now = this.now();
    for (const [k, e] of this.clients) {
      // windows are in start order: the first live one ends the sweep
      if (e.start + this.windowMs > now) break;
      this.clients.delete(k);
    }
    while (this.clients.size >= this.maxClients) this.clients.delete(this.clients.keys().next().value as string);
    this.clients.set(client, { start: now, failures: 1 });
  }

  get size(): number {
    return this.clients.size;
  }

  private current(client: string): Window | undefined {
    const w = this.clients.get(client);
    if (w && w.start + this.windowMs <= this.now()) {
      this.clients.delete(client);
      return undefined;
    }
    return w;
  }
}
