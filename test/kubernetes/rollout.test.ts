// Rollout waiting against a real API server, each failure kind with its reason. The FakeNode
// plays the node and the deployment controller: per test it writes what a kubelet would for
// a failing pod (waiting reasons, restarts and last exit, probe-failure events, log lines),
// what the deployment controller would (ReplicaFailure when the API server refuses pods,
// ProgressDeadlineExceeded), and it plays the quota controller by filling in a quota's status.

import { afterEach, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { applied, deployment, kubeEnv, phases, SKIP, spec } from './harness.js';
import type { PodScript } from './fake-node.js';

const env = kubeEnv('tutti-rollout');
const image = (p: V1Pod) => p.spec?.containers[0].image ?? '';

afterEach(() => {
  if (SKIP) return;
  env.node.behaviour = () => ({});
  env.node.statusOverride = undefined;
});

/** Applies v1 (ready), then v2 whose new pods do what `v2` says; returns v2's progress. */
async function rollOutBroken(name: string, v2: PodScript, over: Parameters<typeof spec>[1] = {}) {
  const v1 = spec(name, { replicas: 2 });
  expect(phases(await applied(env.runtime, deployment(v1))).at(-1)).toBe('done');
  const old = env.runtime.instances(name).map((i) => i.id);
  env.node.behaviour = (pod) => (image(pod).endsWith(':2') ? v2 : {});
  const progress = await applied(env.runtime, deployment(spec(name, { replicas: 2, image: `registry.example/${name}:2`, revision: `${name}-r2`, ...over })));
  return { progress, old, failed: progress.at(-1)! };
}

/** After a failed rollout: the old pods serve, the Deployment is back on v1. */
async function expectRolledBack(name: string, old: string[]) {
  const now = env.runtime.instances(name);
  expect(now.map((i) => i.id).sort()).toEqual([...old].sort());
  expect(now.every((i) => i.ready && i.revision === `${name}-r1`)).toBe(true);
  const d = await env.apps.readNamespacedDeployment({ name, namespace: env.namespace });
  expect(d.spec?.template.spec?.containers[0].image).toBe(`registry.example/${name}:1`);
}

describe.skipIf(SKIP)(`kubernetes driver: rollout waiting and failure reasons${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('reports each new pod starting and ready, each old one stopping, then done', async () => {
    await applied(env.runtime, deployment(spec('steady', { replicas: 2 })));
    const ready: number[] = [];
    const stop = env.runtime.observe(() => ready.push(env.runtime.instances('steady').filter((i) => i.ready).length));
    const progress = await applied(env.runtime, deployment(spec('steady', { replicas: 2, image: 'registry.example/steady:2', revision: 'steady-r2' })));
    stop();
    expect(phases(progress)).toEqual(['starting', 'ready', 'stopping', 'starting', 'ready', 'stopping', 'done']);
    expect(Math.min(...ready)).toBeGreaterThanOrEqual(2); // maxUnavailable 0: never below the desired count
  });

  it('fails at once on ImagePullBackOff, naming the pod and the image, and rolls back', async () => {
    const { failed, old } = await rollOutBroken('pull', { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example/pull:2"' } });
    expect(failed.phase).toBe('failed');
    expect(failed.message).toMatch(/^pod pull-[a-z0-9-]+: ImagePullBackOff: Back-off pulling image "registry.example\/pull:2"; rolled back to the previous revision, which is serving$/);
    expect(failed.instance).toMatch(/^pull-/);
    await expectRolledBack('pull', old);
  });

  it('fails on CrashLoopBackOff with the exit code and the crashed container\'s last log lines', async () => {
    const { failed, old } = await rollOutBroken('crash', {
      waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' },
      restarts: 3,
      lastExit: { exitCode: 3 },
      logs: ['connecting to db', 'error: DATABASE_URL is not set', 'exiting with 3'],
    });
    expect(failed.message).toMatch(/^pod crash-[a-z0-9-]+: CrashLoopBackOff: exited with code 3, restarted 3 times; rolled back/);
    expect(failed.logs).toEqual(['connecting to db', 'error: DATABASE_URL is not set', 'exiting with 3']);
    await expectRolledBack('crash', old);
  });

  it('fails a pod that never passes its readiness probe after ready_timeout, with the probe\'s message', async () => {
    const health = { http: '/healthz', intervalMs: 1000, timeoutMs: 1000, healthyAfter: 1, unhealthyAfter: 3, startPeriodMs: 0 };
    const { failed, old } = await rollOutBroken('probe', {
      ready: false,
      events: [{ reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503' }],
      logs: ['listening on 8080'],
    }, { health, readyTimeoutMs: 1500 });
    expect(failed.message).toMatch(/^pod probe-[a-z0-9-]+ did not become ready within 1\.5s: Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503; rolled back/);
    expect(failed.logs).toEqual(['listening on 8080']);
    await expectRolledBack('probe', old);
  });

  it('fails when the deployment controller reports ProgressDeadlineExceeded', async () => {
    env.node.statusOverride = (d, computed) => d.metadata?.name === 'deadline' && d.spec?.template.spec?.containers[0].image?.endsWith(':2')
      ? { ...computed, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "deadline-6f7c" has timed out progressing.' }] }
      : computed;
    const { failed, old } = await rollOutBroken('deadline', { ready: false });
    expect(failed.message).toMatch(/^ProgressDeadlineExceeded: ReplicaSet "deadline-6f7c" has timed out progressing\.; rolled back/);
    env.node.statusOverride = undefined;
    await expectRolledBack('deadline', old);
  });

  it('fails when a quota refuses the pods, with the API server\'s words', async () => {
    // a pod quota, its status filled in as the quota controller would
    await env.core.createNamespacedResourceQuota({ namespace: env.namespace, body: { metadata: { name: 'small' }, spec: { hard: { pods: '30' } } } });
    const used = (await env.core.listNamespacedPod({ namespace: env.namespace })).items.filter((p) => !p.metadata?.deletionTimestamp).length;
    const k8s = await import('../../src/runtime/kubernetes/client-node.js').then((m) => m.clientNode());
    await env.core.patchNamespacedResourceQuotaStatus(
      { name: 'small', namespace: env.namespace, body: { status: { hard: { pods: String(used + 1) }, used: { pods: String(used) } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await env.core.patchNamespacedResourceQuota(
      { name: 'small', namespace: env.namespace, body: { spec: { hard: { pods: String(used + 1) } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const progress = await applied(env.runtime, deployment(spec('greedy', { replicas: 3 })));
    const failed = progress.at(-1)!;
    expect(failed.phase).toBe('failed');
    expect(failed.message).toMatch(/^FailedCreate: pods "greedy-[a-z0-9-]+" is forbidden: exceeded quota: small, requested: pods=1, used: pods=\d+, limited: pods=\d+$/);
    await env.core.deleteNamespacedResourceQuota({ name: 'small', namespace: env.namespace });
    await env.runtime.remove('greedy');
  });

  it('restart replaces every pod, and a later apply of the same spec neither undoes it nor writes', async () => {
    await applied(env.runtime, deployment(spec('again', { replicas: 2 })));
    const old = env.runtime.instances('again').map((i) => i.id);
    const progress = [];
    for await (const p of env.runtime.restart('again', AbortSignal.timeout(60_000))) progress.push(p);
    expect(phases(progress).at(-1)).toBe('done');
    const now = env.runtime.instances('again');
    expect(now).toHaveLength(2);
    expect(now.some((i) => old.includes(i.id))).toBe(false);
    const before = env.runtime.requests();
    expect(phases(await applied(env.runtime, deployment(spec('again', { replicas: 2 }))))).toEqual(['unchanged', 'done']);
    expect(env.runtime.requests().writes).toBe(before.writes);
    const d = await env.apps.readNamespacedDeployment({ name: 'again', namespace: env.namespace });
    expect(d.metadata?.managedFields?.map((m) => m.manager).sort()).toEqual(expect.arrayContaining(['tutti', 'tutti-restart']));
  });

  it('follows a rollout already under way when nothing new is applied', async () => {
    env.node.behaviour = (pod) => (image(pod).endsWith(':slow') ? { ready: false } : {});
    const slow = spec('late', { image: 'registry.example/late:slow' });
    const first = env.runtime.apply(deployment(slow), AbortSignal.timeout(60_000));
    const it1 = first[Symbol.asyncIterator]();
    expect((await it1.next()).value?.phase).toBe('starting');
    // the pod gets ready while a second, identical apply waits behind the first
    const pod = env.runtime.instances('late')[0].id;
    env.node.behaviour = () => ({});
    await env.node.rerun(pod);
    const rest = [];
    for (let r = await it1.next(); !r.done; r = await it1.next()) rest.push(r.value);
    expect(phases(rest)).toEqual(['ready', 'done']);
    expect(phases(await applied(env.runtime, deployment(slow)))).toEqual(['unchanged', 'done']);
  });
});
