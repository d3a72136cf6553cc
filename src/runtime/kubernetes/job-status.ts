// Pure: where a Job's run stands for an apply. As the process runtime does for a service that
// runs to completion, an apply is done once its runs have started (each pod ready, or already
// succeeded) — dependents that need it `completed` wait for its pods to succeed through the
// instances. It fails on what the job controller gives up on (the Failed condition:
// BackoffLimitExceeded, DeadlineExceeded) and, early, on what does not cure itself: a pod
// whose container cannot start (ImagePullBackOff, a missing Secret, … see rollout-status.ts).
// Under restartPolicy OnFailure a CrashLoopBackOff is not such a thing: it is the kubelet
// retrying the run, which the job controller bounds with backoffLimit; the run is waited for
// (`retrying`) until the Job succeeds or gets its Failed condition.

import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { podReady, stuckReason } from './rollout-status.js';

export type JobVerdict =
  | { state: 'done'; complete: boolean }
  | { state: 'waiting'; reason: string; retrying?: boolean }
  | { state: 'failed'; reason: string; pod?: string };

/** Whether the pod was created by this Job (its controller owner is the Job's uid). */
export function isPodOfJob(pod: V1Pod, job: V1Job): boolean {
  const uid = job.metadata?.uid;
  return uid !== undefined && (pod.metadata?.ownerReferences ?? []).some((o) => o.uid === uid);
}

export function jobCondition(job: V1Job, type: 'Complete' | 'Failed'): { reason?: string; message?: string } | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** How a pod's run ended, in the words of `tutti ps`: "exited with code 3 (Error)". */
export function podExit(pod: V1Pod): string | undefined {
  const status = pod.status?.containerStatuses?.[0];
  const ended = status?.state?.terminated ?? status?.lastState?.terminated;
  if (!ended) return pod.status?.message ?? pod.status?.reason;
  const why = ended.reason && ended.reason !== 'Error' && ended.reason !== 'Completed' ? ` (${ended.reason})` : '';
  return ended.signal ? `was killed by signal ${ended.signal}${why}` : `exited with code ${ended.exitCode}${why}`;
}

/** The pod that best explains a failure: a failed one, else one that restarted, else any. */
export function failingPod(pods: V1Pod[]): V1Pod | undefined {
  const restarts = (p: V1Pod) => p.status?.containerStatuses?.[0]?.restartCount ?? 0;
  return pods.find((p) => p.status?.phase === 'Failed')
    ?? [...pods].sort((a, b) => restarts(b) - restarts(a)).find((p) => restarts(p) > 0)
    ?? pods[0];
}

export function jobVerdict(job: V1Job, allPods: V1Pod[]): JobVerdict {
  const pods = allPods.filter((p) => isPodOfJob(p, job));
  const failed = jobCondition(job, 'Failed');
  if (failed) {
    const pod = failingPod(pods);
    const exit = pod && podExit(pod);
    const reason = `${failed.reason ?? 'Failed'}: ${failed.message ?? 'the job failed'}${pod && exit ? `; pod ${pod.metadata?.name} ${exit}` : ''}`;
    return { state: 'failed', reason, ...(pod && { pod: pod.metadata?.name }) };
  }
  const retriesInPod = job.spec?.template.spec?.restartPolicy === 'OnFailure';
  let retrying: string | undefined;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const stuck = stuckReason(pod);
    if (!stuck) continue;
    if (retriesInPod && stuck.startsWith('CrashLoopBackOff')) {
      retrying ??= `pod ${pod.metadata?.name} is retrying (${stuck})`;
      continue;
    }
    return { state: 'failed', reason: `pod ${pod.metadata?.name}: ${stuck}`, pod: pod.metadata?.name };
  }
  if (jobCondition(job, 'Complete')) return { state: 'done', complete: true };
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions ?? 1;
  const succeeded = Math.max(job.status?.succeeded ?? 0, pods.filter((p) => p.status?.phase === 'Succeeded').length);
  // a failed pod the controller will retry: waiting for its replacement (backoffLimit 0 fails through the condition)
  const want = Math.min(parallelism, completions);
  const started = pods.filter((p) => !p.metadata?.deletionTimestamp && (p.status?.phase === 'Succeeded' || (p.status?.phase === 'Running' && podReady(p)))).length;
  if (succeeded >= completions) return { state: 'done', complete: true };
  if (started >= want) return { state: 'done', complete: false };
  const counted = `${started} of ${want} pod${want === 1 ? '' : 's'} started`;
  return retrying ? { state: 'waiting', reason: `${counted}; ${retrying}`, retrying: true } : { state: 'waiting', reason: counted };
}
