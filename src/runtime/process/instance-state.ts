// The state transitions of one instance, as pure functions over its persisted data: what a
// start, a health result, an exit or a stop does to state, readiness, crash count and message.
// The supervisor does the I/O around them; keeping them here keeps them testable by table.

import { formatDuration, type InstanceState } from '../../core/index.js';
import type { InstanceChange } from '../contract.js';
import { describeExit, exitVerdict, isCrashLooping, nextCrashCount, restartDelayMs, type ExitStatus } from './backoff.js';
import type { HealthResult } from './health-monitor.js';
import type { ProcessInstanceData } from './instance-record.js';
import type { StopOutcome } from './process-group.js';

/** The state of an instance whose process is up, from readiness, health and crash history. */
export function stateWhileUp(d: ProcessInstanceData): InstanceState {
  if (d.ready) return 'running';
  if (d.health === 'failing') return 'unhealthy';
  return isCrashLooping(d.crashes) ? 'crash-looping' : 'starting';
}

export function markStarted(d: ProcessInstanceData, pid: number, startTime: string | undefined, now: number): void {
  const hasHealth = Boolean(d.spec.health);
  // without a health check, readiness comes from staying up a moment (markSettled)
  Object.assign(d, { pid, startTime, startedAt: now, ready: false, health: hasHealth ? 'unknown' : 'none', stopCause: undefined });
  d.state = stateWhileUp(d);
  // a crash-looping instance keeps saying why until it proves itself
  if (d.state !== 'crash-looping') d.message = undefined;
}

/** An instance without a health check that stayed up long enough to count as ready. */
export function markSettled(d: ProcessInstanceData): void {
  d.ready = true;
  d.state = stateWhileUp(d);
  if (d.state === 'running') d.message = undefined;
}

/** Applies a health result; returns the change to report, if any. */
export function applyHealth(d: ProcessInstanceData, r: HealthResult): InstanceChange | undefined {
  const before = `${d.state}/${d.health}`;
  d.ready = r.ready;
  d.health = r.status;
  d.state = stateWhileUp(d);
  if (d.state === 'unhealthy') d.message = `health check failing: ${r.message ?? 'no reason given'}`;
  else if (d.state === 'running') d.message = undefined;
  if (r.change === 'ready') return 'ready';
  if (r.change === 'unready') return 'unready';
  return before !== `${d.state}/${d.health}` ? 'updated' : undefined;
}

/** Records that the process is gone; returns how long it was up. */
export function markExited(d: ProcessInstanceData, exit: ExitStatus, now: number): number {
  const uptime = now - (d.startedAt ?? now);
  Object.assign(d, { lastExit: { ...exit, at: now }, pid: undefined, startTime: undefined, ready: false });
  d.health = d.spec.health ? 'unknown' : 'none';
  return uptime;
}

/**
 * The supervisor is stopping a process that passed its memory limit, to restart it: it stops
 * serving at once (not ready) and says why. 'stopping' with a stopCause tells a daemon that
 * adopts it to finish the stop and restart it, rather than to forget it.
 */
export function markStoppingForRestart(d: ProcessInstanceData, cause: string): void {
  Object.assign(d, { state: 'stopping', ready: false, stopCause: cause, message: `${cause}; stopping it` });
}

/**
 * Applies the restart policy to an exit that nobody asked for, or that the supervisor caused
 * (d.stopCause: a failure whatever the exit code, as Kubernetes' OOMKilled). Returns the delay
 * before the restart, or undefined when the instance stays down (completed or failed).
 */
export function planAfterExit(d: ProcessInstanceData, exit: ExitStatus, uptimeMs: number): number | undefined {
  const cause = d.stopCause;
  d.stopCause = undefined;
  // kept past the restart, so `tutti ps --json` still says why the last one ended
  if (cause && d.lastExit) d.lastExit = { ...d.lastExit, reason: cause };
  const how = cause ?? describeExit(exit);
  const verdict = exitVerdict(d.spec.restart, exit, { failure: cause !== undefined });
  if (verdict !== 'restart') {
    Object.assign(d, { state: verdict, message: how });
    return undefined;
  }
  d.crashes = nextCrashCount(d.crashes, uptimeMs, d.spec.backoff);
  const delay = restartDelayMs(d.crashes, d.spec.backoff);
  const when = delay > 0 ? `restarting in ${formatDuration(delay)}` : 'restarting';
  const looping = isCrashLooping(d.crashes);
  d.state = looping ? 'crash-looping' : 'backoff';
  d.message = looping ? `${how} (${d.crashes} times in a row); ${when}` : `${how}; ${when}`;
  return delay;
}

export function markStopped(d: ProcessInstanceData, exit: ExitStatus, outcome: StopOutcome, now: number): void {
  Object.assign(d, {
    state: 'stopped',
    ready: false,
    pid: undefined,
    startTime: undefined,
    lastExit: { ...exit, at: now },
    stopCause: undefined,
    message: outcome === 'killed' ? `killed with SIGKILL after ${formatDuration(d.spec.stopGraceMs)} (${d.spec.stopSignal} ignored)` : undefined,
  });
}

/** The environment of the instance's process: the daemon's, the service's, the deployment's, then ours. */
export function processEnv(d: ProcessInstanceData, id: string, base: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  return { ...env, ...d.spec.env, ...d.env, PORT: String(d.port), TUTTI_SERVICE: d.service, TUTTI_INSTANCE: id };
}
