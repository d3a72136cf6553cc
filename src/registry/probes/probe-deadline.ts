// Shared timing rules of every probe: a probe ends at the first of the caller's signal (the
// instance is being stopped) and the check's own timeout, and a timeout reads the same for
// every probe kind, so `tutti ps` shows one wording.

import { formatDuration } from '../../core/index.js';

export interface Deadline {
  /** aborts at the caller's signal or after timeoutMs, whichever comes first */
  readonly signal: AbortSignal;
  /** why the probe ended early, in words a user understands */
  reason(): string;
}

export function probeDeadline(outer: AbortSignal, timeoutMs: number): Deadline {
  const timeout = AbortSignal.timeout(Math.max(1, timeoutMs));
  const signal = AbortSignal.any([outer, timeout]);
  return {
    signal,
    reason: () => (timeout.aborted && !outer.aborted ? timedOutMessage(timeoutMs) : 'probe cancelled'),
  };
}

export function timedOutMessage(timeoutMs: number): string {
  // 1.5s, not formatDuration's 1s: the timeout should read as the user wrote it
  if (timeoutMs > 1000 && timeoutMs < 60_000 && timeoutMs % 1000 !== 0) return `timed out after ${Number((timeoutMs / 1000).toFixed(2))}s`;
  return `timed out after ${formatDuration(timeoutMs)}`;
}

/** The error's own message when it is a system error (`connect ECONNREFUSED 127.0.0.1:4000`). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
