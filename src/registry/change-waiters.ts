// Blocking queries (Consul's `?index=N&wait=5m`): callers parked until a change of their
// service (or any change, when none is named) happens, their time runs out or they go away.
// Parked callers are kept per service, so a change wakes only those that care.

import type { ChangeBatch, RegistryEvent } from './types.js';

interface Waiter {
  wake(): void;
}

const ANY = '\u0000any';

export class ChangeWaiters {
  private readonly byService = new Map<string, Set<Waiter>>();

  get size(): number {
    let n = 0;
    for (const set of this.byService.values()) n += set.size;
    return n;
  }

  /** Resolves with `answer()` at the first matching change, or `idle()` on timeout or abort. */
  park(
    service: string | undefined,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    answer: () => ChangeBatch,
    idle: () => ChangeBatch,
  ): Promise<ChangeBatch> {
    if (signal?.aborted) return Promise.resolve(idle());
    const key = service ?? ANY;
    return new Promise<ChangeBatch>((resolve) => {
      const done = (batch: () => ChangeBatch) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const set = this.byService.get(key);
        set?.delete(waiter);
        if (set?.size === 0) this.byService.delete(key);
        resolve(batch());
      };
      const waiter: Waiter = { wake: () => done(answer) };
      const onAbort = () => done(idle);
      const timer = setTimeout(onAbort, Math.max(0, timeoutMs));
      timer.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
      let set = this.byService.get(key);
      if (!set) this.byService.set(key, (set = new Set()));
      set.add(waiter);
    });
  }

  /** Wakes the callers waiting for this change's service, and those waiting for any change. */
  notify(event: RegistryEvent): void {
    for (const key of [event.service, ANY]) {
      const set = this.byService.get(key);
      if (set) for (const w of [...set]) w.wake();
    }
  }

  /** Releases everybody with what they would get on timeout (the registry is closing). */
  releaseAll(): void {
    for (const set of [...this.byService.values()]) for (const w of [...set]) w.wake();
  }
}
