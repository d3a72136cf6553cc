// Applies one service's objects with server-side apply (field manager `tutti`), writing only
// those the cluster does not already hold as rendered: a re-apply with nothing changed makes
// no write request. The Secret and the Service go first (in parallel), the Deployment, whose
// pods read the Secret, after them (the Job of a service that ran to completion before, and
// now runs always, goes first); a Secret no longer needed is deleted last. An object of
// that name that tutti does not manage, or that belongs to another stack, is never touched.
// When a later object fails, the error says which ones were applied already.

import type { V1Deployment } from '@kubernetes/client-node';
import { TuttiError } from '../../core/index.js';
import type { ClusterCache } from './cluster-cache.js';
import type { KindObject, KubeApi, ObjectKind } from './kube-api.js';
import { LABEL_MANAGED_BY, LABEL_PART_OF, MANAGED_BY, secretName } from './names.js';
import { upToDate } from './object-diff.js';
import type { ServiceObjects } from './render-service.js';

export interface ApplyResult {
  /** `Kind/name` of each object written */
  written: string[];
  /** the Deployment as the cluster holds it now */
  deployment: V1Deployment;
  /** the Deployment as it was before (undefined: it is new) */
  previous?: V1Deployment;
}

export interface ApplyContext {
  api: KubeApi;
  cache: ClusterCache;
  stack: string;
  service: string;
  force?: boolean;
}

export async function applyService(ctx: ApplyContext, objects: ServiceObjects): Promise<ApplyResult> {
  const written: string[] = [];
  const previous = await live(ctx, 'Deployment', objects.deployment.metadata!.name!) as V1Deployment | undefined;
  try {
    await Promise.all([objects.secret, objects.service].map(async (o) => {
      if (o && (await put(ctx, o))) written.push(`${o.kind}/${o.metadata!.name}`);
    }));
    // the service ran to completion before (a Job) and runs always now: its Job goes first
    await dropOwned(ctx, 'Job', objects.deployment.metadata!.name!, written);
    const deploymentWritten = await put(ctx, objects.deployment);
    if (deploymentWritten) written.push(`Deployment/${objects.deployment.metadata!.name}`);
    if (!objects.secret) await dropOwned(ctx, 'Secret', secretName(ctx.service), written);
  } catch (err) {
    throw partly(err, written);
  }
  const deployment = ctx.cache.get('Deployment', objects.deployment.metadata!.name!)!;
  return { written, deployment, ...(previous && { previous }) };
}

/** An error of a later object, saying which ones were applied already. */
export function partly(err: unknown, written: string[]): unknown {
  if (written.length === 0 || !(err instanceof TuttiError)) return err;
  return new TuttiError(err.code, `${err.message} (already applied: ${written.join(', ')})`, { hint: err.hint, details: { ...(err.details as object), applied: written }, cause: err });
}

/**
 * Deletes the stack's object of that kind and name, when tutti has one: a Secret no longer
 * needed (its values are gone, and no template names it), or the other workload kind of a
 * service whose `restart` changed. tutti's Secrets are all in the cache: one that is not
 * there is not tutti's to delete.
 */
export async function dropOwned(ctx: ApplyContext, kind: ObjectKind, name: string, written: string[]): Promise<void> {
  const old = ctx.cache.get(kind, name);
  if (!old || !ownedBy(old, ctx.stack)) return;
  await ctx.api.delete(kind, name);
  ctx.cache.forget(kind, name);
  written.push(`${kind}/${name} (deleted)`);
}

export async function live(ctx: ApplyContext, kind: ObjectKind, name: string): Promise<KindObject | undefined> {
  const cached = ctx.cache.get(kind, name);
  if (cached || ctx.cache.seesAll(kind)) return cached;
  return ctx.api.get(kind, name);
}

export function ownedBy(object: KindObject, stack: string): boolean {
  const labels = object.metadata?.labels ?? {};
  return labels[LABEL_MANAGED_BY] === MANAGED_BY && labels[LABEL_PART_OF] === stack;
}

/** Refuses an object of that name that tutti does not manage, or that another stack's tutti does. */
export function checkOwner(ctx: ApplyContext, kind: ObjectKind, current: KindObject | undefined): void {
  const name = current?.metadata?.name;
  if (current && !ownedBy(current, ctx.stack)) {
    const labels = current.metadata?.labels ?? {};
    const whose = labels[LABEL_MANAGED_BY] === MANAGED_BY ? `belongs to stack ${labels[LABEL_PART_OF] ?? '(none)'}` : 'is not managed by tutti';
    throw new TuttiError('TUTTI_E_CONFLICT', `${kind} ${name} already exists in namespace ${ctx.api.namespace} and ${whose}; tutti leaves it alone`, {
      hint: `rename service ${ctx.service}, deploy to another --namespace, or remove the existing ${kind} if it is not needed`,
    });
  }
}

/** Applies the object unless the cluster holds it already; true when it was written. */
export async function put(ctx: ApplyContext, desired: KindObject): Promise<boolean> {
  const kind = desired.kind as ObjectKind;
  const name = desired.metadata!.name!;
  const current = await live(ctx, kind, name);
  checkOwner(ctx, kind, current);
  if (upToDate(current, desired)) return false;
  if (kind === 'Deployment' && current) await dropProbes(ctx.api, current as V1Deployment, desired as V1Deployment);
  const stored = await ctx.api.apply(desired, { force: ctx.force });
  ctx.cache.remember(kind, stored);
  return true;
}

const PROBES = ['startupProbe', 'readinessProbe', 'livenessProbe'] as const;

/**
 * Removes the probes the new template no longer has. Server-side apply would leave an empty
 * probe behind on Kubernetes 1.20 (the API server then rejects the object as invalid), so
 * they go first by a JSON patch, guarded by the container's name.
 */
export async function dropProbes(api: KubeApi, live: V1Deployment, desired: V1Deployment): Promise<void> {
  const containers = live.spec?.template.spec?.containers ?? [];
  const ops: Array<{ op: string; path: string; value?: unknown }> = [];
  for (const want of desired.spec?.template.spec?.containers ?? []) {
    const index = containers.findIndex((c) => c.name === want.name);
    if (index < 0) continue;
    const gone = PROBES.filter((probe) => containers[index][probe] && !want[probe]);
    if (gone.length === 0) continue;
    ops.push({ op: 'test', path: `/spec/template/spec/containers/${index}/name`, value: want.name });
    for (const probe of gone) ops.push({ op: 'remove', path: `/spec/template/spec/containers/${index}/${probe}` });
  }
  if (ops.length > 0) await api.jsonPatchDeployment(live.metadata!.name!, ops);
}
