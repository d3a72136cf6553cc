// One live feed of the stack for every open dashboard: the stack's status, `tutti top`'s
// figures, the alert rules and the event history, as messages. It polls its sources once for
// all watchers (not once per watcher), only while someone watches, and sends a status or the
// alerts only when they changed; a registry change (an instance turning ready or critical)
// triggers a look at once instead of at the next tick. A new watcher first gets the current
// state of everything, so a page is complete from its first messages. A failing source or
// watcher is reported (onError) and skipped: the feed keeps ticking for everyone else.

import type { EventQuery, StoredEvent } from '../../store/index.js';
import type { Registry } from '../../registry/index.js';
import type { ApiDeps } from '../plugin-types.js';

export type FeedMessage =
  | { event: 'stack'; data: unknown }
  | { event: 'top'; data: unknown }
  | { event: 'alerts'; data: unknown }
  | { event: 'events'; data: { events: StoredEvent[] } }
  | { event: 'event'; data: StoredEvent };

export interface EventHistory {
  list(query?: EventQuery): Promise<StoredEvent[]>;
}

export interface StackFeedOptions {
  orchestrator: ApiDeps['orchestrator'];
  monitor?: ApiDeps['monitor'];
  metrics?: ApiDeps['metrics'];
  registry?: Pick<Registry, 'subscribe'>;
  history?: EventHistory;
  /** how often status, alerts and events are looked at; default 1 s */
  tickMs?: number;
  /** how often `top` figures are sent; default 5 s */
  topMs?: number;
  /** events a new watcher gets first; default 50 */
  recentEvents?: number;
  /** told of a failure the feed survived (a source that threw, a watcher that threw); default: none */
  onError?: (error: unknown, where: 'tick' | 'top' | 'watcher') => void;
}

type Listener = (message: FeedMessage) => void;

export class StackFeed {
  private readonly listeners = new Set<Listener>();
  private readonly tickMs: number;
  private readonly topMs: number;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribeRegistry?: () => void;
  private soon?: NodeJS.Timeout;
  private lastStack = '';
  private lastAlerts = '';
  private lastEventId: number | undefined;
  private ticking = false;
  private started?: Promise<void>;
  private failures = 0;

  constructor(private readonly opts: StackFeedOptions) {
    this.tickMs = opts.tickMs ?? 1000;
    this.topMs = opts.topMs ?? 5000;
  }

  get watchers(): number {
    return this.listeners.size;
  }

  /** failures survived so far (sources or watchers that threw) */
  get errors(): number {
    return this.failures;
  }

  /** Starts sending to `listener`: the current state first, then changes. Returns the unsubscribe. */
  async open(listener: Listener): Promise<() => void> {
    const starting = (this.started ??= this.start());
    // a start that failed is not kept: the next watcher tries again
    await starting.catch((err: unknown) => {
      if (this.started === starting) this.started = undefined;
      throw err;
    });
    this.listeners.add(listener);
    const unsubscribe = () => {
      if (this.listeners.delete(listener) && this.listeners.size === 0) this.stop();
    };
    try {
      listener({ event: 'stack', data: this.opts.orchestrator.status() });
      listener({ event: 'alerts', data: this.alerts() });
      const recent = this.opts.history ? await this.opts.history.list({ limit: this.opts.recentEvents ?? 50 }).catch(() => []) : [];
      if (this.listeners.has(listener)) listener({ event: 'events', data: { events: recent } });
      const top = await this.top();
      if (top && this.listeners.has(listener)) listener({ event: 'top', data: top });
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  /** Stops every timer (the app is closing); listeners get nothing more. */
  close(): void {
    this.listeners.clear();
    this.stop();
  }

  private async start(): Promise<void> {
    this.lastStack = JSON.stringify(this.opts.orchestrator.status());
    this.lastAlerts = JSON.stringify(this.alerts());
    const newest = this.opts.history ? await this.opts.history.list({ limit: 1 }).catch(() => []) : [];
    this.lastEventId = newest[0]?.id ?? 0;
    this.timers = [setInterval(() => void this.tick(), this.tickMs), setInterval(() => void this.sendTop(), this.topMs)];
    for (const t of this.timers) t.unref();
    this.unsubscribeRegistry = this.opts.registry?.subscribe(() => this.tickSoon());
  }

  private stop(): void {
    this.started = undefined;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    clearTimeout(this.soon);
    this.soon = undefined;
    this.unsubscribeRegistry?.();
    this.unsubscribeRegistry = undefined;
  }

  private tickSoon(): void {
    this.soon ??= setTimeout(() => {
      this.soon = undefined;
      void this.tick();
    }, 50);
  }

  private broadcast(message: FeedMessage): void {
    for (const l of this.listeners) {
      try {
        l(message);
      } catch (err) {
        this.report(err, 'watcher');
      }
    }
  }

  private report(error: unknown, where: 'tick' | 'top' | 'watcher'): void {
    this.failures += 1;
    try {
      this.opts.onError?.(error, where);
    } catch {
      // a failing reporter must not stop the feed either
    }
  }

  private alerts(): unknown {
    return this.opts.monitor?.()?.alerts() ?? { intervalMs: 0, rules: [] };
  }

  private async top(): Promise<unknown> {
    try {
      return (await this.opts.metrics?.top()) ?? undefined;
    } catch {
      return undefined;
    }
  }

  private async sendTop(): Promise<void> {
    try {
      const top = await this.top();
      if (top && this.listeners.size > 0) this.broadcast({ event: 'top', data: top });
    } catch (err) {
      this.report(err, 'top');
    }
  }

  /** Sends what changed since the last tick; never rejects (a failure is reported, and the next tick tries again). */
  async tick(): Promise<void> {
    if (this.ticking || this.listeners.size === 0) return;
    this.ticking = true;
    try {
      const status = this.opts.orchestrator.status();
      const stack = JSON.stringify(status);
      if (stack !== this.lastStack) {
        this.lastStack = stack;
        this.broadcast({ event: 'stack', data: status });
      }
      const view = this.alerts();
      const alerts = JSON.stringify(view);
      if (alerts !== this.lastAlerts) {
        this.lastAlerts = alerts;
        this.broadcast({ event: 'alerts', data: view });
      }
      if (this.opts.history && this.lastEventId !== undefined) {
        const fresh = await this.opts.history.list({ sinceId: this.lastEventId, limit: 200 }).catch(() => []);
        for (const e of fresh) {
          this.lastEventId = Math.max(this.lastEventId, e.id);
          this.broadcast({ event: 'event', data: e });
        }
      }
    } catch (err) {
      this.report(err, 'tick');
    } finally {
      this.ticking = false;
    }
  }
}
