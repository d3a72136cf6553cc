// Applies one run-to-completion service's objects: its Secret and, when it serves, its
// Service (as for a Deployment), then its Job. A Job's pod template cannot be changed, so a Job that differs from what tutti renders
// now (image, command, env, replicas …) is replaced: deleted with Foreground propagation —
// the Job object stays until the garbage collector has deleted its pods and the kubelets
// have stopped them — and created anew once it is gone, so an old run (a migration) never
// overlaps the new one. A Job the cluster holds as rendered is not written: a re-apply with
// nothing changed makes no write request. `rerun` replaces it even so (a restart, or a
// failed run applied again, as the process runtime replaces a failed instance). The
// Deployment of a service that ran always before, a Service no longer needed and a Secret
// no longer needed are deleted; objects tutti does not manage are never touched.

import type { V1Job } from '@kubernetes/client-node';
import { TuttiError } from '../../core/index.js';
import { checkOwner, dropOwned, live, partly, put, type ApplyContext } from './apply-service.js';
import type { ClusterCache } from './cluster-cache.js';
import { jobCondition } from './job-status.js';
import { secretName } from './names.js';
import { upToDate } from './object-diff.js';
import type { JobObjects } from './render-job.js';

export interface JobApplyResult {
  /** `Kind/name` of each object written */
  written: string[];
  /** the Job as the cluster holds it now */
  job: V1Job;
}

export interface JobApplyOptions {
  /** replace the Job even when it is as rendered */
  rerun?: boolean;
  /** how long the old Job's pods may take to stop */
  stopTimeoutMs: number;
  signal: AbortSignal;
}

export function isFailedJob(job: V1Job | undefined): boolean {
  return job !== undefined && jobCondition(job, 'Failed') !== undefined;
}

export async function applyJob(ctx: ApplyContext, objects: JobObjects, opts: JobApplyOptions): Promise<JobApplyResult> {
  const written: string[] = [];
  const desired = objects.job;
  const name = desired.metadata!.name!;
  try {
    const current = await live(ctx, 'Job', name) as V1Job | undefined;
    checkOwner(ctx, 'Job', current);
    await Promise.all([objects.secret, objects.service].map(async (o) => {
      if (o && (await put(ctx, o))) written.push(`${o.kind}/${o.metadata!.name}`);
    }));
    // the service ran always before: its Deployment goes before the Job's pods start
    await dropOwned(ctx, 'Deployment', name, written);
    // and its Service, unless the Job serves (it has a health check)
    if (!objects.service) await dropOwned(ctx, 'Service', name, written);
    if (opts.rerun || !upToDate(current, desired)) {
      if (current) {
        await deleteJob(ctx, current, opts);
        written.push(`Job/${name} (deleted)`);
      }
      const stored = await ctx.api.apply(desired, { force: ctx.force });
      ctx.cache.remember('Job', stored);
      written.push(`Job/${name}`);
    }
    if (!objects.secret) await dropOwned(ctx, 'Secret', secretName(ctx.service), written);
  } catch (err) {
    throw partly(err, written);
  }
  return { written, job: ctx.cache.get('Job', name)! };
}

/** Deletes the Job, its pods first (Foreground), and waits until it is gone. */
export async function deleteJob(ctx: ApplyContext, job: V1Job, opts: Omit<JobApplyOptions, 'rerun'>): Promise<void> {
  const name = job.metadata!.name!;
  const uid = job.metadata?.uid;
  await ctx.api.delete('Job', name, 'Foreground');
  ctx.cache.forget('Job', name);
  const outcome = await untilGone(ctx.cache, name, uid, opts.stopTimeoutMs, opts.signal);
  if (outcome === 'aborted') {
    throw new TuttiError('TUTTI_E_DEPLOY_FAILED', `aborted while waiting for the previous Job ${name} to be deleted (its pods were stopping); the new Job was not created`, {
      hint: 'apply again to create it',
    });
  }
  if (outcome === 'timeout') {
    throw new TuttiError('TUTTI_E_DEPLOY_FAILED', `the previous Job ${name} was not gone within ${Math.round(opts.stopTimeoutMs / 1000)}s of its deletion (its pods are still stopping)`, {
      hint: `see \`kubectl get pods -l app.kubernetes.io/name=${ctx.service}\`; apply again once they are gone`,
    });
  }
}

/** Resolves once the cache holds no Job of that name and uid, or the timeout passes, or the signal aborts. */
export function untilGone(cache: Pick<ClusterCache, 'get' | 'onChange'>, name: string, uid: string | undefined, timeoutMs: number, signal: AbortSignal): Promise<'gone' | 'timeout' | 'aborted'> {
  const gone = (): boolean => {
    const j = cache.get('Job', name);
    return !j || (uid !== undefined && j.metadata?.uid !== uid);
  };
  return new Promise((resolve) => {
    if (gone()) return resolve('gone');
    if (signal.aborted) return resolve('aborted');
    const done = (outcome: 'gone' | 'timeout' | 'aborted'): void => {
      clearTimeout(timer);
      off();
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => done('aborted');
    const timer = setTimeout(() => done(gone() ? 'gone' : 'timeout'), timeoutMs);
    const off = cache.onChange((kind) => {
      if (kind === 'Job' && gone()) done('gone');
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
