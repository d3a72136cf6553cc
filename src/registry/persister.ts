// Writes the registry's durable state (external registrations and the index) behind the
// in-memory changes, coalescing: writes made in one turn of the event loop (the requests that
// arrived together), and those made while a flush runs, share the next flush, which writes the
// last state of each id in one transaction. Flushes run one after the other, so a put and a
// later delete of one id always reach the database in that order.
//
// The index is stored as a reservation, the way databases cache sequences: a value at or above
// every index handed out, moved INDEX_LEASE ahead when the index gets within half a lease of it.
// So it is written once per few hundred changes, yet a restarted daemon that starts past it
// never reuses an index.

import type { MetaRepository, RegistryRepository } from '../store/index.js';
import type { RegistryInstance } from './types.js';

// taken at load, so tests that fake timers to drive TTLs do not hold every write forever
const nextTurn = globalThis.setImmediate;

export const INDEX_KEY = 'registry.index';
export const INDEX_LEASE = 1000;

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

export interface PersisterLogger {
  warn(obj: object, msg: string): void;
}

export class Persister {
  private pending = new Map<string, RegistryInstance | null>();
  private pendingIndex?: number;
  private waiters: Waiter[] = [];
  private running?: Promise<void>;
  /** the stored reservation (or the one being stored) */
  private reserved: number;

  /** `reserved`: the reservation read at start */
  constructor(
    private readonly repo: RegistryRepository,
    private readonly meta: MetaRepository | undefined,
    private readonly logger?: PersisterLogger,
    reserved = 0,
  ) {
    this.reserved = reserved;
  }

  /** Resolves once the instance (or its removal, for null) is stored. */
  instance(id: string, instance: RegistryInstance | null): Promise<void> {
    this.pending.set(id, instance);
    return this.schedule();
  }

  /** The registry's last index: extends the reservation when it gets close. Nobody waits for
   *  it; failures are logged. */
  index(value: number): void {
    if (!this.meta || value < this.reserved - INDEX_LEASE / 2) return;
    this.reserved = value + INDEX_LEASE;
    this.pendingIndex = this.reserved;
    this.schedule().catch(() => {}); // logged by the flush
  }

  /** Resolves when everything asked so far is written (or failed). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private schedule(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    // after the requests read in this turn of the event loop, so they share one flush
    this.running ??= new Promise<void>((resolve) => nextTurn(resolve)).then(() => this.loop());
    return done;
  }

  private async loop(): Promise<void> {
    while (this.pending.size > 0 || this.pendingIndex !== undefined) {
      const batch = this.pending;
      const index = this.pendingIndex;
      const waiters = this.waiters;
      this.pending = new Map();
      this.pendingIndex = undefined;
      this.waiters = [];
      const put: RegistryInstance[] = [];
      const remove: string[] = [];
      for (const [id, instance] of batch) {
        if (instance) put.push(instance);
        else remove.push(id);
      }
      try {
        // one transaction per flush: a statement costs more than the rows it writes
        if (put.length > 0 || remove.length > 0) await this.repo.write({ put, delete: remove });
        if (index !== undefined && this.meta) await this.meta.set(INDEX_KEY, String(index));
        for (const w of waiters) w.resolve();
      } catch (err) {
        this.logger?.warn({ err }, 'storing the registry failed; registrations may be lost at the next daemon restart');
        for (const w of waiters) w.reject(err);
      }
    }
    this.running = undefined;
  }
}
