// Time as the engine sees it: `wait`, retry delays and timeouts all go through one Clock, so
// tests (and, later, a durable runner resuming timers) can drive time instead of sleeping.

import { longTimeout } from './long-timer.js';

export interface Clock {
  /** milliseconds since the epoch */
  now(): number;
  /** resolves after `ms`; rejects with the signal's reason as soon as `signal` aborts */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = () => {
        cancel();
        reject(abortReason(signal!));
      };
      // any length: a `wait: P30D` must not fire after 1 ms (Node's timer limit is ~24.8 days)
      const cancel = longTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

interface Sleeper {
  due: number;
  resolve: () => void;
}

/** A clock that only moves when told to: `advance(ms)` wakes every sleep that falls due. */
export class ManualClock implements Clock {
  private time: number;
  private readonly sleepers = new Set<Sleeper>();
  /** every duration asked for, in order (retry delays, waits, timeouts) */
  readonly requested: number[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** sleeps not yet due */
  get pending(): number {
    return this.sleepers.size;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.requested.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const sleeper: Sleeper = { due: this.time + ms, resolve };
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(abortReason(signal!));
      };
      sleeper.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.sleepers.add(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  advance(ms: number): void {
    this.time += ms;
    for (const s of [...this.sleepers].sort((a, b) => a.due - b.due)) {
      if (s.due <= this.time) {
        this.sleepers.delete(s);
        s.resolve();
      }
    }
  }
}
