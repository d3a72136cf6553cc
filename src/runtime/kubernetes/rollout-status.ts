// Pure: where a Deployment's rollout stands, read the way `kubectl rollout status` reads it
// (observed generation, updated / available / total replicas, the Progressing condition),
// plus what makes tutti stop waiting early: a ReplicaFailure condition (quota, RBAC,
// admission refused the pods), and new pods whose container cannot start (ImagePullBackOff,
// CrashLoopBackOff, a missing Secret, …) — reported as the kubelet reports them.

import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { ANNOTATION_ENV_HASH, ANNOTATION_RESTARTED_AT, ANNOTATION_REVISION } from './names.js';

export type RolloutVerdict =
  | { state: 'done' }
  | { state: 'waiting'; reason: string }
  | { state: 'failed'; reason: string; pod?: string };

/** Container waiting reasons that do not go away by waiting. */
const STUCK = new Set([
  'ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull', 'CrashLoopBackOff',
  'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError',
]);

/** What identifies a pod template for tutti: the revision, the secret values' hash and the last restart. */
export function templateKey(annotations: Record<string, string> | undefined): string {
  const a = annotations ?? {};
  return [a[ANNOTATION_REVISION] ?? '', a[ANNOTATION_ENV_HASH] ?? '', a[ANNOTATION_RESTARTED_AT] ?? ''].join('|');
}

export function isPodOfTemplate(pod: V1Pod, key: string): boolean {
  return templateKey(pod.metadata?.annotations) === key;
}

export function podReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** Why a pod's container cannot start, when it is one of the reasons above. */
export function stuckReason(pod: V1Pod): string | undefined {
  for (const c of pod.status?.containerStatuses ?? []) {
    const waiting = c.state?.waiting;
    if (!waiting?.reason || !STUCK.has(waiting.reason)) continue;
    if (waiting.reason === 'CrashLoopBackOff') {
      const last = c.lastState?.terminated;
      const exit = last ? `exited with code ${last.exitCode}${last.reason && last.reason !== 'Error' ? ` (${last.reason})` : ''}` : 'keeps exiting';
      return `CrashLoopBackOff: ${exit}, restarted ${c.restartCount} time${c.restartCount === 1 ? '' : 's'}`;
    }
    return `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  }
  return undefined;
}

export function rolloutVerdict(deployment: V1Deployment, pods: V1Pod[]): RolloutVerdict {
  const spec = deployment.spec;
  const status = deployment.status ?? {};
  const generation = deployment.metadata?.generation ?? 0;
  const want = spec?.replicas ?? 1;
  const conditions = status.conditions ?? [];

  const failure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (failure) return { state: 'failed', reason: `${failure.reason ?? 'ReplicaFailure'}: ${failure.message ?? 'pods could not be created'}` };

  const key = templateKey(spec?.template.metadata?.annotations);
  for (const pod of pods) {
    if (!isPodOfTemplate(pod, key) || pod.metadata?.deletionTimestamp) continue;
    const stuck = stuckReason(pod);
    if (stuck) return { state: 'failed', reason: `pod ${pod.metadata?.name}: ${stuck}`, pod: pod.metadata?.name };
  }

  if ((status.observedGeneration ?? 0) < generation) {
    return { state: 'waiting', reason: 'waiting for the deployment controller to see the new spec' };
  }
  const progressing = conditions.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { state: 'failed', reason: `ProgressDeadlineExceeded: ${progressing.message ?? 'the rollout made no progress in time'}` };
  }
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < want) return { state: 'waiting', reason: `${updated} of ${want} new pods created` };
  if (total > updated) return { state: 'waiting', reason: `${total - updated} old pod${total - updated === 1 ? '' : 's'} still to stop` };
  if (available < updated) return { state: 'waiting', reason: `${available} of ${updated} new pods ready` };
  return { state: 'done' };
}
