// Follows one Job's run on the cluster caches' changes (watches, no polling) until its pods
// have started (job-status.ts) or it has failed, reporting each pod as it starts and gets
// ready (or has already run to completion). As for a Deployment's rollout, nothing moving for
// the service's ready_timeout fails it, with the newest Warning event about its pods or the
// Job (FailedCreate: a quota, an admission or RBAC refusal; FailedScheduling; …) as the reason.
// A run the kubelet is retrying (an `on-failure` pod in CrashLoopBackOff, whose back-off grows
// to 5 minutes) is not a stall: the job controller's backoffLimit bounds it, so the wait goes
// on until the Job succeeds or fails.

import type { CoreV1Event, V1Job, V1Pod } from '@kubernetes/client-node';
import { formatDuration } from '../../core/index.js';
import type { Progress } from '../contract.js';
import type { ClusterCache } from './cluster-cache.js';
import { isPodOfJob, jobVerdict } from './job-status.js';
import { serviceOfPod } from './pod-instance.js';
import { newestWarning } from './warning-events.js';
import { podReady } from './rollout-status.js';
import type { RolloutOutcome } from './rollout-wait.js';

export interface JobWatch {
  cache: ClusterCache;
  service: string;
  job: string;
  /** no change for this long fails the run */
  timeoutMs: number;
  signal: AbortSignal;
  push(p: Progress): void;
  /** the namespace's events, read when the run stalls */
  events(): Promise<CoreV1Event[]>;
}

export function waitForJob(w: JobWatch): Promise<RolloutOutcome> {
  return new Promise<RolloutOutcome>((resolve) => {
    const started = new Set<string>();
    const ready = new Set<string>();
    let signature = '';
    let timer: NodeJS.Timeout | undefined;
    let settled = false;

    const podsOf = (job: V1Job): V1Pod[] => w.cache.list('Pod').filter((p) => serviceOfPod(p) === w.service && isPodOfJob(p, job));
    const finish = (outcome: RolloutOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe();
      w.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };

    const report = (pods: V1Pod[]): void => {
      for (const p of pods) {
        const name = p.metadata!.name!;
        if (p.metadata?.deletionTimestamp) continue;
        if (!started.has(name)) {
          started.add(name);
          w.push({ service: w.service, phase: 'starting', instance: name });
        }
        if ((podReady(p) || p.status?.phase === 'Succeeded') && !ready.has(name)) {
          ready.add(name);
          w.push({ service: w.service, phase: 'ready', instance: name });
        }
      }
    };

    const check = (): void => {
      if (settled) return;
      const job = w.cache.get('Job', w.job);
      if (!job) return finish({ ok: false, message: `Job ${w.job} was deleted while it was starting` });
      const pods = podsOf(job);
      report(pods);
      const verdict = jobVerdict(job, pods);
      if (verdict.state === 'done') return finish({ ok: true });
      if (verdict.state === 'failed') return finish({ ok: false, message: verdict.reason, pod: verdict.pod });
      if (verdict.retrying) {
        clearTimeout(timer);
        signature = '';
        return;
      }
      const restarts = pods.map((p) => p.status?.containerStatuses?.[0]?.restartCount ?? 0);
      const now = JSON.stringify([job.status?.active, job.status?.succeeded, job.status?.failed, [...started].sort(), [...ready].sort(), restarts]);
      if (now !== signature) {
        signature = now;
        clearTimeout(timer);
        timer = setTimeout(() => void stalled(verdict.reason), w.timeoutMs);
      }
    };

    const stalled = async (waitingFor: string): Promise<void> => {
      if (settled) return;
      const job = w.cache.get('Job', w.job);
      const pods = job ? podsOf(job).filter((p) => !p.metadata?.deletionTimestamp) : [];
      const unready = pods.find((p) => !podReady(p) && p.status?.phase !== 'Succeeded');
      const why = await warningAbout(w, pods).catch(() => undefined);
      const within = `within ${formatDuration(w.timeoutMs)}`;
      const message = unready
        ? `pod ${unready.metadata!.name} did not start ${within}: ${why ?? waitingFor}`
        : `Job ${w.job} made no progress ${within}: ${why ?? waitingFor}`;
      finish({ ok: false, message, pod: unready?.metadata?.name });
    };

    const onAbort = (): void => finish({ ok: false, message: `aborted while waiting for the job ${w.service} to start` });
    w.signal.addEventListener('abort', onAbort, { once: true });
    const unsubscribe = w.cache.onChange((kind, _type, object) => {
      if (kind === 'Pod' ? serviceOfPod(object as V1Pod) === w.service : kind === 'Job' && object.metadata?.name === w.job) check();
    });
    if (w.signal.aborted) onAbort();
    else check();
  });
}

/** The newest Warning event about the Job or its pods: "reason: message". */
async function warningAbout(w: JobWatch, pods: V1Pod[]): Promise<string | undefined> {
  const names = new Set(pods.map((p) => p.metadata!.name!));
  return newestWarning(await w.events(), (name, kind) => names.has(name) || (kind === 'Job' && name === w.job));
}
