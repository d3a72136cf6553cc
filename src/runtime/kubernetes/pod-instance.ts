// Pure: a pod as a registry instance (address = pod IP, port = container port), and which
// instance event a change of pod is — so the registry, `tutti ps`, the workflow engine's
// `http://<service>/…` resolution, metrics and alerts see pods as they see local processes.

import { constants } from 'node:os';
import type { V1Pod } from '@kubernetes/client-node';
import type { InstanceInfo, InstanceState } from '../../core/index.js';
import type { InstanceChange } from '../contract.js';
import { ANNOTATION_REVISION, LABEL_NAME } from './names.js';
import { podExit } from './job-status.js';
import { podReady, stuckReason } from './rollout-status.js';

const ms = (t: Date | string | undefined): number | undefined => (t === undefined ? undefined : new Date(t).getTime());

/** Reasons the kubelet gives every ordinary exit: the exit code says as much. */
const UNINFORMATIVE_REASONS = new Set(['Error', 'Completed']);

const SIGNALS = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

export function serviceOfPod(pod: V1Pod): string | undefined {
  return pod.metadata?.labels?.[LABEL_NAME];
}

/** The instance a pod is; `wasReady`: it has been ready before (so not ready now is unhealthy, not starting). */
export function podInstance(pod: V1Pod, slot: number, wasReady: boolean): InstanceInfo | undefined {
  const service = serviceOfPod(pod);
  const name = pod.metadata?.name;
  if (!service || !name) return undefined;
  const container = pod.spec?.containers?.[0];
  const status = pod.status?.containerStatuses?.find((c) => c.name === container?.name) ?? pod.status?.containerStatuses?.[0];
  const ready = podReady(pod);
  const running = status?.state?.running;
  const waiting = status?.state?.waiting;
  const terminated = status?.state?.terminated;
  const last = status?.lastState?.terminated ?? terminated;
  const stuck = stuckReason(pod);

  let state: InstanceState;
  let message: string | undefined;
  if (pod.metadata?.deletionTimestamp) state = 'stopping';
  else if (pod.status?.phase === 'Succeeded') state = 'completed';
  else if (pod.status?.phase === 'Failed') { state = 'failed'; message = podExit(pod); }
  else if (stuck) { state = waiting?.reason === 'CrashLoopBackOff' ? 'crash-looping' : 'failed'; message = stuck; }
  else if (running) {
    state = ready ? 'running' : wasReady ? 'unhealthy' : 'starting';
    if (!ready) message = 'not ready';
  } else state = 'starting';
  if (!message && waiting?.reason && waiting.reason !== 'ContainerCreating') message = `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;

  const probed = container?.readinessProbe !== undefined;
  const info: InstanceInfo = {
    id: name,
    service,
    revision: pod.metadata?.annotations?.[ANNOTATION_REVISION] ?? '',
    slot,
    address: pod.status?.podIP ?? '',
    port: container?.ports?.[0]?.containerPort ?? 0,
    state,
    health: !probed ? 'none' : ready ? 'passing' : running && wasReady ? 'failing' : 'unknown',
    ready,
    restarts: status?.restartCount ?? 0,
    createdAt: ms(pod.metadata?.creationTimestamp) ?? 0,
  };
  const startedAt = ms(running?.startedAt);
  if (startedAt !== undefined) info.startedAt = startedAt;
  if (last) {
    info.lastExit = {
      code: last.exitCode ?? null,
      signal: last.signal ? SIGNALS.get(last.signal) ?? String(last.signal) : null,
      at: ms(last.finishedAt) ?? 0,
      // the kubelet's word for it where it says more than the code (OOMKilled, ContainerCannotRun…)
      ...(last.reason && !UNINFORMATIVE_REASONS.has(last.reason) && { reason: last.reason }),
    };
  }
  if (message) info.message = message;
  return info;
}

/** What happened between two views of one instance (undefined: nothing worth telling). */
export function instanceChange(before: InstanceInfo | undefined, after: InstanceInfo | undefined): InstanceChange | undefined {
  if (!before && !after) return undefined;
  if (!before) return 'created';
  if (!after) return 'removed';
  if (after.restarts > before.restarts) return 'restarting';
  const ended = after.state === 'crash-looping' || after.state === 'completed' || after.state === 'failed';
  // a Job's pod that was ready and ran to its end has exited, not merely become unready
  if (after.state !== before.state && ended) return 'exited';
  if (!before.ready && after.ready) return 'ready';
  if (before.ready && !after.ready) return 'unready';
  if (after.state !== before.state && before.startedAt === undefined && after.startedAt !== undefined) return 'started';
  return JSON.stringify(before) === JSON.stringify(after) ? undefined : 'updated';
}
