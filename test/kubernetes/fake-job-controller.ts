// The test harness's job controller: the API server under test (a real kube-apiserver 1.20)
// runs no controller-manager, so nothing would ever run a Job. FakeJobController stands in
// for the real one, for FakeNode (fake-node.ts), which runs the pods it creates as the kubelet:
// creates each Job's pods (parallelism at a time, until completions succeeded), counts
// succeeded and failed pods (and, for restartPolicy OnFailure, container restarts) against
// backoffLimit, deletes the active pods of a Job that failed, and writes the Job's status
// through the status subresource — active/succeeded/failed, startTime, completionTime, and
// the Complete or Failed (BackoffLimitExceeded) condition, worded as the real controller words them.

import { randomBytes } from 'node:crypto';
import type { BatchV1Api, CoreV1Api, ListWatch, V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import { canonicalJson } from '../../src/core/index.js';
import type { ClientNode } from '../../src/runtime/kubernetes/client-node.js';

/** What the job controller uses of the node: its API clients, informers and work queues. */
export interface JobControllerDeps {
  namespace: string;
  nodeName: string;
  k8s: ClientNode;
  batch: BatchV1Api;
  core: CoreV1Api;
  jobs: ListWatch<V1Job>;
  pods: ListWatch<V1Pod>;
  /** runs work after the earlier work of the same key (the node's queues, which its stop() drains) */
  serial(key: string, work: () => Promise<void>): void;
  deletePod(p: V1Pod): Promise<void>;
  stopped(): boolean;
}

export class FakeJobController {
  private readonly dirty = new Set<string>();

  constructor(private readonly deps: JobControllerDeps) {}

  /** Reconciles the Job (soon, once: changes that come meanwhile are seen by the same run). */
  schedule(job: string): void {
    if (this.deps.stopped()) return;
    this.dirty.add(job);
    this.deps.serial(`job/${job}`, async () => {
      if (!this.dirty.delete(job)) return;
      await this.reconcile(job);
    });
  }

  private async reconcile(name: string): Promise<void> {
    const { namespace, k8s } = this.deps;
    const j = this.deps.jobs.get(name, namespace);
    if (!j || j.metadata?.deletionTimestamp) return;
    const finished = j.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    if (finished) return;
    const owned = this.deps.pods.list(namespace).filter((p) => p.metadata?.ownerReferences?.some((o) => o.uid === j.metadata?.uid));
    const active = owned.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const succeeded = owned.filter((p) => p.status?.phase === 'Succeeded').length;
    const failed = owned.filter((p) => p.status?.phase === 'Failed').length;
    const parallelism = j.spec?.parallelism ?? 1;
    const completions = j.spec?.completions ?? 1;
    const backoffLimit = j.spec?.backoffLimit ?? 6;
    const onFailure = j.spec?.template.spec?.restartPolicy === 'OnFailure';
    const restarts = active.reduce((n, p) => n + (p.status?.containerStatuses?.[0]?.restartCount ?? 0), 0);
    const now = new Date();
    const conditions: V1JobCondition[] = [];
    let completionTime: Date | undefined;
    // as the real controller (1.20): Never counts failed pods, OnFailure the restarts of the active ones
    const pastLimit = onFailure ? (backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit) : failed > backoffLimit;
    if (succeeded >= completions) {
      conditions.push({ type: 'Complete', status: 'True', lastProbeTime: now, lastTransitionTime: now });
      completionTime = now;
    } else if (pastLimit) {
      conditions.push({ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: now, lastTransitionTime: now });
      for (const p of active) await this.deps.deletePod(p);
    } else {
      const want = Math.min(parallelism, completions - succeeded) - active.length;
      for (let i = 0; i < want; i++) await this.createPod(j);
    }
    const activeNow = conditions.length > 0 ? 0 : Math.max(active.length, Math.min(parallelism, completions - succeeded));
    const status: NonNullable<V1Job['status']> = {
      startTime: j.status?.startTime ?? now,
      active: activeNow,
      succeeded,
      failed,
      ...(completionTime && { completionTime }),
      ...(conditions.length > 0 && { conditions }),
    };
    if (canonicalJson(comparableJob(j.status)) === canonicalJson(comparableJob(status))) return;
    await this.deps.batch.patchNamespacedJobStatus(
      { name, namespace, body: { status } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  }

  private async createPod(j: V1Job): Promise<void> {
    const template = j.spec!.template;
    const name = `${j.metadata!.name}-${randomBytes(3).toString('hex').slice(0, 5)}`;
    await this.deps.core.createNamespacedPod({
      namespace: this.deps.namespace,
      body: {
        metadata: {
          name,
          labels: { ...template.metadata?.labels },
          annotations: template.metadata?.annotations,
          ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: j.metadata!.name!, uid: j.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: { ...template.spec!, nodeName: this.deps.nodeName, automountServiceAccountToken: false },
      },
    });
  }
}

/** A Job's status without the times, which change on every write. */
function comparableJob(status: V1Job['status']): unknown {
  if (!status) return { active: 0, succeeded: 0, failed: 0 };
  const { startTime: _s, completionTime: _c, ...rest } = status;
  return { ...rest, active: rest.active ?? 0, succeeded: rest.succeeded ?? 0, failed: rest.failed ?? 0, conditions: status.conditions?.map(({ type, status: s, reason, message }) => ({ type, status: s, reason, message })) };
}
