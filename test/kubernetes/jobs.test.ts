// Services that run to completion (restart: never / on-failure) as Jobs, against a real API
// server: applied as a Job (no Deployment, no Service), done once its pod has started, its
// pod a 'completed' instance once it succeeded; a re-apply with nothing changed writes
// nothing; a changed image replaces the Job (the old one and its pod go first); `restart`
// runs it again (also a Job whose template carries the labels a 1.27+ API server adds, which
// must not be copied into the new Job); a failed run is reported with the job controller's
// reason and the pod's last log lines; an `on-failure` run that crash-loops is waited for
// until the job controller gives up (backoffLimit); through the orchestrator, a dependent waiting for `completed` is applied only
// after the Job succeeded, and one whose dependency failed is not applied; prune and down
// delete tutti's Jobs and leave an unmanaged Job alone. The API server runs no job controller
// and no kubelet: the FakeNode plays both (it creates the Job's pods, runs each for RUN_MS and
// exits with EXIT_CODE, and writes the Job's status as the real controller does).

import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { StackSpec } from '../../src/core/index.js';
import { createOrchestrator } from '../../src/orchestrator/index.js';
import { clientNode } from '../../src/runtime/kubernetes/client-node.js';
import { renderJob } from '../../src/runtime/kubernetes/render-job.js';
import type { KubernetesServiceSpec } from '../../src/runtime/kubernetes/render-service.js';
import { collect, waitFor } from '../fixtures/wait.js';
import type { PodScript } from './fake-node.js';
import { applied, deployment, kubeEnv, phases, SKIP, spec } from './harness.js';
import { finished, memoryStore } from './orchestrated.js';

const env = kubeEnv('tutti-jobs');

/** A pod with EXIT_CODE in its environment runs for RUN_MS, printing LOG, then exits with it; others serve. */
function runs(_pod: V1Pod, vars: Record<string, string>): PodScript {
  if (vars.EXIT_CODE === undefined) return {};
  const code = Number(vars.EXIT_CODE);
  return {
    logs: (vars.LOG ?? '').split('|').filter(Boolean),
    exit: { code, afterMs: Number(vars.RUN_MS ?? 200) },
    // a run that fails at once is never seen ready
    ...(vars.READY === 'no' && { ready: false }),
  };
}

const migrate = (over: Parameters<typeof spec>[1] = {}) =>
  spec('migrate', { restart: 'never', env: { EXIT_CODE: '0', RUN_MS: '300', LOG: 'migrating|migrated' }, ...over });

async function batch() {
  const k8s = await clientNode();
  return env.kc.makeApiClient(k8s.BatchV1Api);
}

describe.skipIf(SKIP)(`kubernetes driver: run-to-completion services as Jobs${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('applies a restart: never service as a Job, done once its pod started; the pod completes', async () => {
    env.node.behaviour = runs;
    const progress = await applied(env.runtime, deployment(migrate()));
    expect(phases(progress)).toEqual(['starting', 'ready', 'done']);
    const jobs = await batch();
    const job = await jobs.readNamespacedJob({ name: 'migrate', namespace: env.namespace });
    expect(job.metadata?.labels).toMatchObject({ 'app.kubernetes.io/name': 'migrate', 'app.kubernetes.io/managed-by': 'tutti' });
    expect(job.metadata?.managedFields?.find((m) => m.manager === 'tutti')?.operation).toBe('Apply');
    expect(job.spec?.template.spec?.restartPolicy).toBe('Never');
    await expect(env.apps.readNamespacedDeployment({ name: 'migrate', namespace: env.namespace })).rejects.toMatchObject({ code: 404 });
    await expect(env.core.readNamespacedService({ name: 'migrate', namespace: env.namespace })).rejects.toMatchObject({ code: 404 });

    const [done] = await waitFor(() => {
      const all = env.runtime.instances('migrate');
      return all.length === 1 && all[0].state === 'completed' ? all : undefined;
    }, { message: 'the migrate pod completed' });
    expect(done.lastExit?.code).toBe(0);
    expect(done.revision).toBe('migrate-r1');
    await waitFor(async () => (await jobs.readNamespacedJob({ name: 'migrate', namespace: env.namespace })).status?.conditions?.some((c) => c.type === 'Complete'), { message: 'Complete' });
  });

  it('re-applies a completed Job with nothing changed without writing or reading anything', async () => {
    const before = env.runtime.requests();
    expect(phases(await applied(env.runtime, deployment(migrate())))).toEqual(['unchanged', 'done']);
    const after = env.runtime.requests();
    expect(after.writes - before.writes).toBe(0);
    expect(after.reads - before.reads).toBe(0);
    const fresh = await env.newRuntime();
    expect(phases(await applied(fresh, deployment(migrate())))).toEqual(['unchanged', 'done']);
    expect(fresh.requests().writes).toBe(0);
    await fresh.detach();
  });

  it('replaces the Job when the image changes: the old Job and its pod go before the new one runs', async () => {
    const jobs = await batch();
    const old = await jobs.readNamespacedJob({ name: 'migrate', namespace: env.namespace });
    const oldPod = env.runtime.instances('migrate')[0].id;
    const before = env.runtime.requests();
    const progress = await applied(env.runtime, deployment(migrate({ image: 'registry.example/migrate:2', revision: 'migrate-r2' })));
    expect(progress.map((p) => `${p.phase}${p.instance === oldPod ? ' (old)' : ''}`)).toEqual(['stopping (old)', 'starting', 'ready', 'done']);
    expect(env.runtime.requests().writes - before.writes).toBe(2); // the delete and the apply
    const now = await jobs.readNamespacedJob({ name: 'migrate', namespace: env.namespace });
    expect(now.metadata?.uid).not.toBe(old.metadata?.uid);
    expect(now.spec?.template.spec?.containers[0].image).toBe('registry.example/migrate:2');
    await expect(env.core.readNamespacedPod({ name: oldPod, namespace: env.namespace })).rejects.toMatchObject({ code: 404 });
    const [run] = await waitFor(() => {
      const all = env.runtime.instances('migrate');
      return all.length === 1 && all[0].state === 'completed' ? all : undefined;
    }, { message: 'the new run completed' });
    expect(run.revision).toBe('migrate-r2');
  });

  it('restart runs the Job again, and a later apply of the same spec writes nothing', async () => {
    const jobs = await batch();
    const old = await jobs.readNamespacedJob({ name: 'migrate', namespace: env.namespace });
    const progress = await collect(env.runtime.restart('migrate', AbortSignal.timeout(60_000)));
    expect(phases(progress)).toEqual(['stopping', 'starting', 'ready', 'done']);
    const now = await jobs.readNamespacedJob({ name: 'migrate', namespace: env.namespace });
    expect(now.metadata?.uid).not.toBe(old.metadata?.uid);
    expect(now.spec?.template.spec?.containers[0].image).toBe('registry.example/migrate:2');
    await waitFor(() => env.runtime.instances('migrate')[0]?.state === 'completed', { message: 'the rerun completed' });
    const before = env.runtime.requests();
    expect(phases(await applied(env.runtime, deployment(migrate({ image: 'registry.example/migrate:2', revision: 'migrate-r2' }))))).toEqual(['unchanged', 'done']);
    expect(env.runtime.requests().writes - before.writes).toBe(0);
  });

  it('restart of a Job a 1.27+ API server labelled, by a driver that did not render it: none of the old Job\'s labels is copied', async () => {
    const jobs = await batch();
    const report = spec('report', { restart: 'never', env: { EXIT_CODE: '0', RUN_MS: '100' } });
    // as tutti applied it, with the template labels a 1.27+ API server adds beside the old ones (1.20 adds only those)
    const body: V1Job = renderJob({ spec: report as KubernetesServiceSpec, stack: 'shop', namespace: env.namespace, replicas: 1 }).job;
    body.spec!.template.metadata!.labels = { ...body.spec!.template.metadata!.labels, 'batch.kubernetes.io/controller-uid': 'a1b2c3d4-0000-4000-8000-000000000000', 'batch.kubernetes.io/job-name': 'report' };
    const old = await jobs.createNamespacedJob({ namespace: env.namespace, body });
    await waitFor(() => env.runtime.instances('report')[0]?.state === 'completed', { message: 'the first run completed' });
    const fresh = await env.newRuntime();
    try {
      const progress = await collect(fresh.restart('report', AbortSignal.timeout(60_000)));
      expect(phases(progress), JSON.stringify(progress)).toEqual(['stopping', 'starting', 'ready', 'done']);
      const now = await jobs.readNamespacedJob({ name: 'report', namespace: env.namespace });
      expect(now.metadata?.uid).not.toBe(old.metadata?.uid);
      const labels = now.spec?.template.metadata?.labels ?? {};
      expect(Object.keys(labels).filter((k) => k.startsWith('batch.kubernetes.io/'))).toEqual([]);
      expect(labels['controller-uid']).toBe(now.metadata?.uid);
    } finally {
      await fresh.detach();
      await env.runtime.remove('report');
    }
  });

  it('an on-failure run that crash-loops is a retry: the apply fails only once the job controller gives up', async () => {
    const retry = spec('retry', { restart: 'on-failure', env: { EXIT_CODE: '3', RUN_MS: '50', READY: 'no', LOG: 'cannot reach the db' } });
    try {
      const progress = await applied(env.runtime, deployment(retry));
      const last = progress.at(-1)!;
      expect(last.phase).toBe('failed');
      expect(last.message).toMatch(/^BackoffLimitExceeded: Job has reached the specified backoff limit/);
      const job = await (await batch()).readNamespacedJob({ name: 'retry', namespace: env.namespace });
      expect(job.spec?.backoffLimit).toBe(6);
    } finally {
      await env.runtime.remove('retry');
    }
  });

  it('reports a failed Job with the job controller\'s reason and the pod\'s last log lines', async () => {
    const broken = spec('broken', { restart: 'never', env: { EXIT_CODE: '3', RUN_MS: '50', READY: 'no', LOG: 'connecting to db|error: relation "users" does not exist' } });
    const progress = await applied(env.runtime, deployment(broken));
    const last = progress.at(-1)!;
    expect(last.phase).toBe('failed');
    expect(last.message).toMatch(/^BackoffLimitExceeded: Job has reached the specified backoff limit; pod broken-\w+ exited with code 3$/);
    expect(last.instance).toMatch(/^broken-/);
    expect(last.logs).toEqual(['connecting to db', 'error: relation "users" does not exist']);
    const [failed] = env.runtime.instances('broken');
    expect(failed).toMatchObject({ state: 'failed', message: 'exited with code 3' });

    // applied again, a failed run runs again (as the process runtime replaces a failed instance)
    const again = await applied(env.runtime, deployment(broken));
    expect(phases(again)).toEqual(['stopping', 'starting', 'failed']);
    await env.runtime.remove('broken');
    expect(env.runtime.instances('broken')).toEqual([]);
  });

  it('through the orchestrator: a dependent waiting for `completed` is applied only after the Job succeeded; one whose Job failed is not', async () => {
    const runtime = await env.newRuntime();
    const orchestrator = await createOrchestrator({ store: memoryStore(), runtime });
    const seen: string[] = [];
    const stop = runtime.observe((e) => seen.push(`${e.instance.service} ${e.change} ${e.instance.state}`));
    try {
      const services = {
        db: spec('db', { port: 5432, protocol: 'tcp' }),
        seed: spec('seed', { restart: 'on-failure', replicas: 2, dependsOn: { db: 'healthy' }, env: { EXIT_CODE: '0', RUN_MS: '800' } }),
        api: spec('api', { dependsOn: { seed: 'completed' } }),
      };
      const stack: StackSpec = { name: 'store', file: '/srv/shop/tutti.yaml', dir: '/srv/shop', services, order: ['db', 'seed', 'api'], runtime: 'kubernetes' };
      const op = await orchestrator.apply(stack);
      const done = await finished(orchestrator, op.id);
      expect(done.ok, JSON.stringify(done.events.filter((e) => e.phase === 'failed'))).toBe(true);
      const completedAt = seen.map((s, i) => (s === 'seed exited completed' ? i : -1)).filter((i) => i >= 0);
      expect(completedAt).toHaveLength(2);
      const apiCreated = seen.indexOf('api created starting');
      expect(apiCreated).toBeGreaterThan(Math.max(...completedAt));
      const seedJob = await (await batch()).readNamespacedJob({ name: 'seed', namespace: env.namespace });
      expect(seedJob.spec).toMatchObject({ parallelism: 2, completions: 2, backoffLimit: 6 });
      expect(seedJob.spec?.template.spec?.restartPolicy).toBe('OnFailure');
      expect(orchestrator.status()!.services.find((s) => s.name === 'api')?.ready).toBe(1);
      const revisionOf = async () => (await env.apps.readNamespacedDeployment({ name: 'api', namespace: env.namespace })).metadata?.annotations?.['tutti.dev/revision'];
      const apiRevision = await revisionOf();

      // the seed now fails after it started: the dependent is not applied again
      const failing = { ...stack, services: { ...services, seed: { ...services.seed, env: { EXIT_CODE: '1', RUN_MS: '300' } }, api: { ...services.api, image: 'registry.example/api:2' } } };
      const second = await finished(orchestrator, (await orchestrator.apply(failing)).id);
      expect(second.ok).toBe(false);
      const apiFailed = second.events.find((e) => e.service === 'api' && e.phase === 'failed');
      expect(apiFailed?.message).toMatch(/not started: dependency seed did not complete: .*CrashLoopBackOff: exited with code 1/);
      expect(await revisionOf()).toBe(apiRevision);

      const down = await finished(orchestrator, (await orchestrator.down()).id);
      expect(down.ok).toBe(true);
      const left = await (await batch()).listNamespacedJob({ namespace: env.namespace, labelSelector: 'app.kubernetes.io/managed-by=tutti' });
      expect(left.items.map((j) => j.metadata?.name)).toEqual(['migrate']); // stack shop's, applied by the driver directly
      expect(runtime.instances('seed')).toEqual([]);
    } finally {
      stop();
      await orchestrator.close();
    }
  });

  it('prune deletes the Jobs of services the manifest no longer names, and leaves an unmanaged Job alone', async () => {
    const jobs = await batch();
    await jobs.createNamespacedJob({
      namespace: env.namespace,
      body: {
        metadata: { name: 'legacy-backup', labels: { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/name': 'legacy-backup' } },
        spec: { parallelism: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'backup:1' }] } } },
      },
    });
    const deleted = await env.runtime.prune('shop', []);
    expect(deleted).toContain('Job/migrate');
    await waitFor(() => env.runtime.instances('migrate').length === 0, { message: 'the migrate pods gone' });
    const names = (await jobs.listNamespacedJob({ namespace: env.namespace })).items.map((j) => j.metadata?.name);
    expect(names).toEqual(['legacy-backup']);
  });
});
