// The restart policy as pure functions: what an exit means (restart, completed, failed), how
// long to wait before the next attempt, and when a run of crashes counts as a crash loop.
// The first restart after a crash is immediate so a one-off crash costs almost nothing;
// only repeated crashes back off, as Kubernetes' CrashLoopBackOff does.

import type { BackoffSpec, RestartPolicy } from '../../core/index.js';

export interface ExitStatus {
  code: number | null;    // null when unknown (killed by a signal, or died while not supervised)
  signal: string | null;
}

export type ExitVerdict = 'restart' | 'completed' | 'failed';

/** Consecutive crashes (without a stable period in between) from which an instance is crash-looping. */
export const CRASH_LOOP_AFTER = 3;

/** `failure`: the exit counts as a failure whatever its code (the supervisor stopped a process over its limit). */
export function exitVerdict(policy: RestartPolicy, exit: ExitStatus, opts: { failure?: boolean } = {}): ExitVerdict {
  const clean = !opts.failure && exit.code === 0 && exit.signal === null;
  if (policy === 'always') return 'restart';
  if (clean) return 'completed';
  return policy === 'on-failure' ? 'restart' : 'failed';
}

/**
 * The count of consecutive crashes after this exit: an instance that stayed up for
 * resetAfterMs starts counting again from one.
 */
export function nextCrashCount(previous: number, uptimeMs: number, backoff: BackoffSpec): number {
  return uptimeMs >= backoff.resetAfterMs ? 1 : previous + 1;
}

/** Delay before restarting after the given number of consecutive crashes (1 = the first). */
export function restartDelayMs(crashes: number, backoff: BackoffSpec): number {
  if (crashes <= 1) return 0;
  const delay = backoff.initialMs * Math.pow(backoff.factor, crashes - 2);
  return Math.min(backoff.maxMs, Math.max(0, Math.round(delay)));
}

export function isCrashLooping(crashes: number): boolean {
  return crashes >= CRASH_LOOP_AFTER;
}

/** How an exit reads in `tutti ps` and in failure reports. */
export function describeExit(exit: ExitStatus): string {
  if (exit.signal) return `was killed by ${exit.signal}`;
  if (exit.code === null) return 'exited (exit code unknown)';
  return `exited with code ${exit.code}`;
}
