// How the process driver brings a service to a deployment, one service at a time:
// - dead instances (failed, stopped) are replaced;
// - surplus instances are stopped, highest slots first;
// - outdated instances (another revision or deployment env, or all of them for a restart) are
//   replaced one slot at a time: start the new one (surge), wait until it is ready, then stop
//   the old one, so the ready count never drops. A service on a fixed port cannot run two
//   instances on it, so there the old one is stopped first (and started again, as a new
//   instance of the old revision, if the new one fails);
// - missing slots are started in parallel.
// A new instance that is not ready in time, fails or crash-loops is stopped and reported with
// its last log lines; the instances that were serving keep serving.

import type { Deployment, Progress } from '../contract.js';
import type { InstanceSupervisor } from './instance-supervisor.js';
import { waitReady } from './ready-wait.js';

export interface RolloutHost {
  instancesOf(service: string): InstanceSupervisor[];
  startInstance(deployment: Deployment, slot: number): Promise<InstanceSupervisor>;
  removeInstance(sup: InstanceSupervisor): Promise<void>;
  lastLines(id: string, n: number): Promise<string[]>;
}

export type RolloutMode = 'apply' | 'restart';

const FAILURE_LOG_LINES = 20;

/** Runs the rollout; resolves true when the service matches the deployment, false after a 'failed'. */
export async function rollOut(host: RolloutHost, deployment: Deployment, mode: RolloutMode, signal: AbortSignal, push: (p: Progress) => void): Promise<boolean> {
  const { spec, env } = deployment;
  const service = spec.name;
  const desired = Math.max(0, Math.floor(deployment.replicas));
  const fixedPort = spec.port !== 0;
  let changed = false;

  const stop = async (sup: InstanceSupervisor): Promise<void> => {
    push({ service, phase: 'stopping', instance: sup.id });
    await host.removeInstance(sup);
    changed = true;
  };
  const fail = async (sup: InstanceSupervisor, message: string, restore?: InstanceSupervisor): Promise<false> => {
    const logs = await host.lastLines(sup.id, FAILURE_LOG_LINES).catch(() => []);
    await host.removeInstance(sup);
    if (restore) {
      // the failed instance needed the fixed port the old one held: bring the old revision back
      const back = await host.startInstance({ spec: restore.spec, env: restore.env, replicas: desired }, restore.slot);
      await waitReady(back, restore.spec.readyTimeoutMs, signal);
    }
    const text = message === 'aborted' ? `aborted while waiting for ${sup.id} to become ready` : `${sup.id} ${message}`;
    push({ service, phase: 'failed', instance: sup.id, message: text, logs });
    return false;
  };
  const startAndWait = async (slot: number): Promise<{ sup: InstanceSupervisor; ok: true } | { sup: InstanceSupervisor; ok: false; message: string }> => {
    const sup = await host.startInstance(deployment, slot);
    changed = true;
    push({ service, phase: 'starting', instance: sup.id });
    const outcome = await waitReady(sup, spec.readyTimeoutMs, signal);
    if (!outcome.ok) return { sup, ok: false, message: outcome.message };
    push({ service, phase: 'ready', instance: sup.id });
    return { sup, ok: true };
  };

  // 1. instances that will not come back by themselves
  for (const sup of host.instancesOf(service)) {
    if (sup.state === 'failed' || sup.state === 'stopped') await stop(sup);
  }

  // 2. surplus slots, highest first; and a second instance in one slot (left by an interrupted rollout)
  const seen = new Set<number>();
  const bySlotDesc = [...host.instancesOf(service)].sort((a, b) => b.slot - a.slot || b.data.createdAt - a.data.createdAt);
  for (const sup of bySlotDesc) {
    if (sup.slot >= desired || seen.has(sup.slot)) await stop(sup);
    else seen.add(sup.slot);
  }

  // 3. replace outdated instances one slot at a time
  const current = host.instancesOf(service).sort((a, b) => a.slot - b.slot);
  for (const sup of current) if (sup.matches(spec, env)) sup.updateSpec(spec);
  const outdated = current.filter((sup) => mode === 'restart' || !sup.matches(spec, env));
  for (const old of outdated) {
    if (signal.aborted) {
      push({ service, phase: 'failed', message: `rollout of ${service} aborted` });
      return false;
    }
    if (fixedPort) await stop(old);
    const result = await startAndWait(old.slot);
    if (!result.ok) return fail(result.sup, result.message, fixedPort ? old : undefined);
    if (!fixedPort) await stop(old);
  }

  // 4. start missing slots in parallel
  const taken = new Set(host.instancesOf(service).map((s) => s.slot));
  const missing: number[] = [];
  for (let slot = 0; slot < desired; slot++) if (!taken.has(slot)) missing.push(slot);
  const results = await Promise.all(missing.map((slot) => startAndWait(slot)));
  const failures = results.filter((r) => !r.ok);
  if (failures.length > 0) {
    // New slots replace nothing, so their instances stay: a crash-looping one goes on
    // restarting with backoff and an unhealthy one may still recover, and `tutti ps` and
    // `tutti logs` show why. (A failed replacement, above, is removed: the old one serves.)
    const first = failures[0];
    if (signal.aborted) {
      // aborted (the daemon is detaching): keep nothing half-started
      await Promise.all(failures.slice(1).map((r) => host.removeInstance(r.sup)));
      return fail(first.sup, 'aborted');
    }
    const logs = await host.lastLines(first.sup.id, FAILURE_LOG_LINES).catch(() => []);
    const message = first.ok ? '' : first.message;
    const text = message === 'aborted' ? `aborted while waiting for ${first.sup.id} to become ready` : `${first.sup.id} ${message}`;
    push({ service, phase: 'failed', instance: first.sup.id, message: text, logs });
    return false;
  }

  if (!changed) push({ service, phase: 'unchanged' });
  push({ service, phase: 'done' });
  return true;
}
