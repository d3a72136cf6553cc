// `tutti render control-plane` against a real API server: the objects it prints are accepted,
// and the Role it grants is enough for everything the driver does (apply, wait, restart, read
// logs and events, prune, remove; Deployments and Jobs) when tutti runs as that
// ServiceAccount — and nothing more: the same account is refused in another namespace. A
// control plane still bound to the Role of the version before Jobs starts, says once what it
// lacks, applies Deployments as before, refuses a Job service with the way out, and applies it
// once the Role grants Jobs. The FakeNode plays the node.

import type { KubernetesObject, V1Deployment, V1Role, V1RoleBinding, V1Service, V1ServiceAccount } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { isTuttiError } from '../../src/core/index.js';
import { clientNode } from '../../src/runtime/kubernetes/client-node.js';
import { createKubernetesRuntime, renderControlPlane } from '../../src/runtime/kubernetes/index.js';
import { CONTROL_PLANE_RULES } from '../../src/runtime/kubernetes/render-control-plane.js';
import { collect, waitFor } from '../fixtures/wait.js';
import { createNamespace, deleteNamespace } from './cluster.js';
import { applied, deployment, impersonating, kubeEnv, phases, SKIP, spec } from './harness.js';

const env = kubeEnv('tutti-cp');

async function create(objects: KubernetesObject[], namespace: string): Promise<void> {
  const k8s = await clientNode();
  const rbac = env.kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  for (const o of objects) {
    switch (o.kind) {
      case 'ServiceAccount': await env.core.createNamespacedServiceAccount({ namespace, body: o as V1ServiceAccount }); break;
      case 'Role': await rbac.createNamespacedRole({ namespace, body: o as V1Role }); break;
      case 'RoleBinding': await rbac.createNamespacedRoleBinding({ namespace, body: o as V1RoleBinding }); break;
      case 'Service': await env.core.createNamespacedService({ namespace, body: o as V1Service }); break;
      case 'Deployment': await env.apps.createNamespacedDeployment({ namespace, body: o as V1Deployment }); break;
      default: throw new Error(`unexpected ${o.kind}`);
    }
  }
}

describe.skipIf(SKIP)(`tutti render control-plane${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('is accepted by the API server, and its Role is all the driver needs in its namespace', async () => {
    await create(renderControlPlane({ namespace: env.namespace, image: 'registry.example/tutti:1' }), env.namespace);
    const kubeConfig = await impersonating(env.kc, `system:serviceaccount:${env.namespace}:tutti`);
    const runtime = await createKubernetesRuntime({ kubeConfig, namespace: env.namespace });
    try {
      env.node.behaviour = () => ({ logs: ['hello from the pod'] });
      const web = spec('web', { replicas: 2, env: { API_TOKEN: 'secret' } });
      expect(phases(await applied(runtime, deployment(web))).at(-1)).toBe('done');
      expect(phases(await applied(runtime, deployment(web)))).toEqual(['unchanged', 'done']);
      expect(phases(await collect(runtime.restart('web', AbortSignal.timeout(30_000)))).at(-1)).toBe('done');
      const pod = runtime.instances('web')[0].id;
      expect(await runtime.lastLines(pod, 5)).toEqual(['hello from the pod']);
      // a failing rollout reads the namespace's events for its reason
      env.node.behaviour = () => ({ ready: false, events: [{ reason: 'Unhealthy', message: 'Readiness probe failed: connection refused' }] });
      const failed = (await applied(runtime, deployment({ ...web, image: 'registry.example/web:2', revision: 'web-r2', readyTimeoutMs: 1000 }))).at(-1)!;
      expect(failed.message).toMatch(/Readiness probe failed: connection refused; rolled back/);
      env.node.behaviour = () => ({});
      await applied(runtime, deployment(spec('old')));
      // a run-to-completion service: a Job applied, run again (deleted and created), pruned
      env.node.behaviour = (_pod, vars) => (vars.EXIT_CODE ? { exit: { code: Number(vars.EXIT_CODE) } } : {});
      const once = spec('once', { restart: 'never', env: { EXIT_CODE: '0' } });
      expect(phases(await applied(runtime, deployment(once))).at(-1)).toBe('done');
      expect(phases(await collect(runtime.restart('once', AbortSignal.timeout(30_000)))).at(-1)).toBe('done');
      expect(await runtime.prune('shop', ['web'])).toEqual(['Deployment/old', 'Job/once', 'Service/old']);
      await runtime.remove('web');
      expect(runtime.instances('web')).toEqual([]);
    } finally {
      await runtime.detach();
    }
  });

  it('with the Role of the version before Jobs: starts, warns once, applies Deployments; a Job service fails clearly until the Role grants Jobs', async () => {
    const name = 'tutti-before-jobs';
    const [account, role, binding] = renderControlPlane({ namespace: env.namespace, image: 'registry.example/tutti:0', name }) as [V1ServiceAccount, V1Role, V1RoleBinding];
    const oldRules = CONTROL_PLANE_RULES.filter((r) => !r.resources?.includes('jobs'));
    await create([account, { ...role, rules: oldRules } as V1Role, binding], env.namespace);
    const kubeConfig = await impersonating(env.kc, `system:serviceaccount:${env.namespace}:${name}`);
    const warnings: string[] = [];
    const logger = { info: () => {}, error: () => {}, warn: (_o: unknown, msg?: string) => { warnings.push(msg ?? ''); } };
    const runtime = await createKubernetesRuntime({ kubeConfig, namespace: env.namespace, logger: logger as never });
    try {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(new RegExp(`^not allowed to list Jobs in namespace ${env.namespace}: .*cannot list resource "jobs".*tutti render control-plane`));
      env.node.behaviour = (_pod, vars) => (vars.EXIT_CODE ? { exit: { code: Number(vars.EXIT_CODE) } } : {});
      expect(phases(await applied(runtime, deployment(spec('legacy')))).at(-1)).toBe('done');
      const once = spec('oneshot', { restart: 'never', env: { EXIT_CODE: '0' } });
      const refused = (await applied(runtime, deployment(once))).at(-1)!;
      expect(refused.phase).toBe('failed');
      expect(refused.message).toMatch(/^not allowed to list Jobs in namespace .*; services that run to completion \(restart: never \/ on-failure\) are Jobs, and cannot be applied \(.*`tutti render control-plane` again/);
      // restart of that service says the same, rather than "unchanged"
      const again = (await collect(runtime.restart('oneshot', new AbortController().signal))).at(-1)!;
      expect([again.phase, again.message]).toEqual(['failed', refused.message]);
      expect(await runtime.prune('shop', ['legacy'])).toEqual([]);
      expect(warnings).toHaveLength(1);

      // the Role updated (`tutti render control-plane` applied again): the next apply watches Jobs and runs it
      const k8s = await clientNode();
      await env.kc.makeApiClient(k8s.RbacAuthorizationV1Api).replaceNamespacedRole({ name, namespace: env.namespace, body: role as V1Role });
      await waitFor(async () => phases(await applied(runtime, deployment(once))).at(-1) === 'done', { message: 'the Job service applied once the Role grants Jobs', timeout: 20_000, interval: 200 });
      await runtime.remove('oneshot');
      await runtime.remove('legacy');
    } finally {
      await runtime.detach();
    }
  });

  it('grants nothing outside its namespace', async () => {
    const other = await createNamespace(env.kc, 'tutti-cp-other');
    try {
      const kubeConfig = await impersonating(env.kc, `system:serviceaccount:${env.namespace}:tutti`);
      const err = await createKubernetesRuntime({ kubeConfig, namespace: other }).then(() => undefined, (e: unknown) => e);
      expect(isTuttiError(err) && err.code).toBe('TUTTI_E_FORBIDDEN');
      expect((err as Error).message).toMatch(new RegExp(`not allowed to list \\w+s in namespace ${other}`));
    } finally {
      await deleteNamespace(env.kc, other);
    }
  });
});
