// The driver's two operations on a run-to-completion service, as Progress: apply (the Job as
// rendered; a failed run applied again runs again) and restart (run it again: the Job deleted
// and created anew — as tutti last rendered it, or, when this driver has not rendered it, as
// the cluster holds it without what the API server added; the new body is built and checked
// before the old Job is deleted). Each follows the new Job until its pods have started, as
// the process runtime waits for such a service, and reports a failure — the job controller's
// reason, or the pod's that cannot start — with the failing pod's last log lines.

import type { V1Job } from '@kubernetes/client-node';
import { TuttiError } from '../../core/index.js';
import type { Progress } from '../contract.js';
import { applyJob, deleteJob, isFailedJob } from './apply-job.js';
import type { ApplyContext } from './apply-service.js';
import { jobVerdict } from './job-status.js';
import { waitForJob } from './job-wait.js';
import { ANNOTATION_APPLIED, ANNOTATION_REVISION } from './names.js';
import { appliedHash } from './object-diff.js';
import { serviceOfPod } from './pod-instance.js';
import type { JobObjects } from './render-job.js';

export interface JobRunContext extends ApplyContext {
  push(p: Progress): void;
  signal: AbortSignal;
  /** how long the pods may take to start (the service's ready_timeout) */
  timeoutMs: number;
  /** beyond the stop grace period, how long deleting the previous Job may take */
  stopMarginMs: number;
  lastLines(pod: string): Promise<string[]>;
}

/**
 * The labels the API server adds to a Job's pod template: they name the Job and its uid (the
 * `batch.kubernetes.io/` ones since Kubernetes 1.27). A new Job whose template carries the old
 * uid is refused (422), so none of them is copied.
 */
export const GENERATED_LABELS = ['controller-uid', 'job-name', 'batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name'];

export async function applyJobService(ctx: JobRunContext, objects: JobObjects): Promise<void> {
  const name = objects.job.metadata!.name!;
  const current = ctx.cache.get('Job', name);
  const before = podsOfService(ctx);
  const result = await applyJob(ctx, objects, { rerun: isFailedJob(current), stopTimeoutMs: stopTimeout(ctx, current), signal: ctx.signal });
  const replaced = result.written.includes(`Job/${name}`);
  if (!replaced && jobVerdict(result.job, ctx.cache.list('Pod')).state === 'done') {
    ctx.push({ service: ctx.service, phase: 'unchanged' });
    ctx.push({ service: ctx.service, phase: 'done' });
    return;
  }
  if (result.written.includes(`Job/${name} (deleted)`)) stoppedAll(ctx, before);
  await follow(ctx, name, result.written.length === 0);
}

/**
 * Runs the Job again: deleted (its pods first) and created anew from `rendered` (what this
 * driver last applied) when the cluster still holds that, else from the live Job. The body is
 * built before the old Job is deleted, so a Job that cannot be rebuilt is left as it is.
 */
export async function rerunJobService(ctx: JobRunContext, live: V1Job, rendered?: V1Job): Promise<void> {
  const before = podsOfService(ctx);
  const body = rerunBody(live, rendered);
  const name = body.metadata!.name!;
  await deleteJob(ctx, live, { stopTimeoutMs: stopTimeout(ctx, live), signal: ctx.signal });
  stoppedAll(ctx, before);
  try {
    ctx.cache.remember('Job', await ctx.api.apply(body, { force: ctx.force }));
  } catch (err) {
    const e = err as TuttiError;
    throw new TuttiError(e.code ?? 'TUTTI_E_DEPLOY_FAILED', `Job ${name} was deleted to run it again, but creating it anew failed: ${e.message}`, {
      hint: `apply the stack again (\`tutti up\`) to create it${e.hint ? `; ${e.hint}` : ''}`,
      cause: err,
    });
  }
  await follow(ctx, name, false);
}

/** The Job to create for a rerun: as rendered when the cluster holds that render, else rebuilt from the live one. */
export function rerunBody(live: V1Job, rendered: V1Job | undefined): V1Job {
  const body = rendered && appliedHash(rendered) === appliedHash(live) ? structuredClone(rendered) : jobBody(live);
  const generated = Object.keys(body.spec?.template.metadata?.labels ?? {}).filter((k) => /(^|\/)(controller-uid|job-name)$/.test(k));
  if (generated.length > 0 || body.spec?.selector || body.spec?.manualSelector || !body.spec?.template.spec?.containers?.length) {
    throw new TuttiError('TUTTI_E_INTERNAL', `cannot run Job ${live.metadata?.name} again: the Job to create would carry ${generated.length > 0 ? `the labels ${generated.join(', ')} of the old one` : 'a selector or no container'}`, {
      hint: 'apply the stack again (`tutti up`) instead; the Job was left as it is',
    });
  }
  return body;
}

/** The Job as tutti applied it, without what the API server set (status, uid, selector, generated labels). */
export function jobBody(live: V1Job): V1Job {
  const template = live.spec!.template;
  const labels = Object.fromEntries(Object.entries(template.metadata?.labels ?? {}).filter(([k]) => !GENERATED_LABELS.includes(k)));
  const annotations = Object.fromEntries(Object.entries(live.metadata?.annotations ?? {}).filter(([k]) => k === ANNOTATION_APPLIED || k === ANNOTATION_REVISION));
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: live.metadata!.name, namespace: live.metadata!.namespace, labels: live.metadata?.labels, annotations },
    spec: {
      parallelism: live.spec!.parallelism,
      completions: live.spec!.completions,
      backoffLimit: live.spec!.backoffLimit,
      template: { metadata: { labels, annotations: template.metadata?.annotations }, spec: structuredClone(template.spec) },
    },
  };
}

async function follow(ctx: JobRunContext, name: string, unchanged: boolean): Promise<void> {
  const outcome = await waitForJob({
    cache: ctx.cache, service: ctx.service, job: name, timeoutMs: ctx.timeoutMs, signal: ctx.signal, push: ctx.push, events: () => ctx.api.events(),
  });
  if (outcome.ok) {
    if (unchanged) ctx.push({ service: ctx.service, phase: 'unchanged' });
    ctx.push({ service: ctx.service, phase: 'done' });
    return;
  }
  const logs = outcome.pod ? await ctx.lastLines(outcome.pod).catch(() => []) : [];
  ctx.push({ service: ctx.service, phase: 'failed', message: outcome.message, ...(outcome.pod && { instance: outcome.pod }), logs });
}

function podsOfService(ctx: JobRunContext): string[] {
  return ctx.cache.list('Pod').filter((p) => serviceOfPod(p) === ctx.service).map((p) => p.metadata!.name!);
}

/** The previous run's pods, gone with its Job. */
function stoppedAll(ctx: JobRunContext, pods: string[]): void {
  for (const pod of pods) ctx.push({ service: ctx.service, phase: 'stopping', instance: pod });
}

function stopTimeout(ctx: JobRunContext, job: V1Job | undefined): number {
  return (job?.spec?.template.spec?.terminationGracePeriodSeconds ?? 30) * 1000 + ctx.stopMarginMs;
}
