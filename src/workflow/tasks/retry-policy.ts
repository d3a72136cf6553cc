// Retry delays (dsl-reference "Retry"): `delay` scaled by the backoff for the n-th retry —
// constant: delay; linear: delay × n; exponential: delay × 2^(n−1) — plus a uniform jitter
// drawn between `jitter.from` and `jitter.to`.

import { durationMs } from '../engine/durations.js';

export interface RetryPolicy {
  when?: string;
  exceptWhen?: string;
  delay?: unknown;
  backoff?: { constant?: object; linear?: object; exponential?: object };
  limit?: { attempt?: { count?: number; duration?: unknown }; duration?: unknown };
  jitter?: { from: unknown; to: unknown };
}

/** Milliseconds to wait before retry number `n` (1 = the first retry). */
export function retryDelayMs(policy: RetryPolicy, n: number, random: () => number, at: string): number {
  const base = policy.delay === undefined ? 0 : durationMs(policy.delay, `${at}/delay`);
  let ms = base;
  if (policy.backoff?.exponential) ms = base * 2 ** (n - 1);
  else if (policy.backoff?.linear) ms = base * n;
  if (policy.jitter) {
    const from = durationMs(policy.jitter.from, `${at}/jitter/from`);
    const to = durationMs(policy.jitter.to, `${at}/jitter/to`);
    ms += from + random() * Math.max(0, to - from);
  }
  return Math.round(ms);
}
