// Waiting for one instance to become ready, as a rollout does before it stops an old instance.
// Ends early, with the reason, when the instance can no longer become ready (spawn failure,
// crash loop, stopped) — a rollout should not sit out its whole timeout for a lost cause.

import { formatDuration, type InstanceInfo } from '../../core/index.js';
import { describeExit } from './backoff.js';

export interface Watchable {
  info(): InstanceInfo;
  /** the last failed probe's message, if the last probe failed */
  lastProbeMessage(): string | undefined;
  /** calls fn after every change; returns the unsubscribe function */
  watch(fn: () => void): () => void;
}

export type ReadyOutcome = { ok: true; completed?: boolean } | { ok: false; message: string };

export function waitReady(target: Watchable, timeoutMs: number, signal: AbortSignal): Promise<ReadyOutcome> {
  return new Promise<ReadyOutcome>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let unwatch = (): void => {};
    const finish = (outcome: ReadyOutcome): void => {
      clearTimeout(timer);
      unwatch();
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => finish({ ok: false, message: 'aborted' });
    const check = (): void => {
      const outcome = settled(target.info());
      if (outcome) finish(outcome);
    };
    if (signal.aborted) return onAbort();
    unwatch = target.watch(check);
    signal.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => finish({ ok: false, message: timeoutMessage(target, timeoutMs) }), Math.max(0, timeoutMs));
    check();
  });
}

function settled(info: InstanceInfo): ReadyOutcome | undefined {
  if (info.ready) return { ok: true };
  switch (info.state) {
    case 'completed':
      return { ok: true, completed: true }; // a one-shot service that finished successfully
    case 'failed':
      return { ok: false, message: `failed: ${info.message ?? 'cannot run'}` };
    case 'crash-looping':
      return { ok: false, message: `is crash-looping: ${info.message ?? (info.lastExit ? describeExit(info.lastExit) : 'exits again and again')}` };
    case 'stopped':
      return { ok: false, message: 'was stopped before it became ready' };
    default:
      return undefined;
  }
}

function timeoutMessage(target: Watchable, timeoutMs: number): string {
  const info = target.info();
  const base = `did not become ready within ${preciseDuration(timeoutMs)}`;
  const probe = target.lastProbeMessage();
  if (probe) return `${base}: ${probe}`;
  if (info.lastExit) return `${base}: it ${describeExit(info.lastExit)}`;
  return base;
}

/** 1.5s rather than formatDuration's 1s: a timeout the user set should read as they set it. */
export function preciseDuration(ms: number): string {
  if (ms > 1000 && ms < 60_000 && ms % 1000 !== 0) return `${Number((ms / 1000).toFixed(2))}s`;
  return formatDuration(ms);
}
