// Pods' CPU and memory from the cluster's metrics API (metrics.k8s.io/v1beta1 PodMetrics),
// against a real API server. The test server has no metrics-server: metrics-server.ts makes
// the API server serve that API (a CRD of the same group, version and kind) and writes the
// PodMetrics metrics-server would. The FakeNode plays the node and the deployment controller,
// so that the pods exist and run.

import type { V1Pod } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { clientNode } from '../../src/runtime/kubernetes/client-node.js';
import { KubeApi } from '../../src/runtime/kubernetes/kube-api.js';
import { loadClusterTarget } from '../../src/runtime/kubernetes/kube-config.js';
import { MANAGED_SELECTOR } from '../../src/runtime/kubernetes/names.js';
import { PodStatsReader } from '../../src/runtime/kubernetes/pod-metrics.js';
import { waitFor } from '../fixtures/wait.js';
import { applied, deployment, impersonating, kubeEnv, phases, SKIP, spec } from './harness.js';
import { deletePodMetrics, installMetricsApi, writePodMetrics } from './metrics-server.js';

const env = kubeEnv('tutti-metrics');
const MiB = 2 ** 20;

/** cpu and memory only: whether cpuSeconds is there depends on the reader behind stats() */
const usage = (stats: Record<string, { cpu: number; memory: number }>) =>
  Object.fromEntries(Object.entries(stats).map(([id, { cpu, memory }]) => [id, { cpu, memory }]));

async function podsOf(service: string): Promise<V1Pod[]> {
  const ids = env.runtime.instances(service).map((i) => i.id).sort();
  return Promise.all(ids.map((name) => env.core.readNamespacedPod({ name, namespace: env.namespace })));
}

async function apiAs(user: string): Promise<KubeApi> {
  return KubeApi.connect(await loadClusterTarget({ kubeConfig: await impersonating(env.kc, user), namespace: env.namespace }));
}

describe.skipIf(SKIP)(`kubernetes driver: pod CPU and memory from the metrics API${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  beforeAll(() => installMetricsApi(env.kc, env.namespace), 90_000);

  it('reports each pod\'s CPU and memory by instance id, and only the pods of tutti\'s objects', async () => {
    expect(phases(await applied(env.runtime, deployment(spec('web', { replicas: 2 })))).at(-1)).toBe('done');
    const [a, b] = await podsOf('web');
    expect([a, b].every(Boolean)).toBe(true);
    // metrics-server has not measured the new pods yet: no figures, rather than zeros
    expect(await env.runtime.stats()).toEqual({});

    await writePodMetrics(env.kc, a, { web: { cpu: '250m', memory: '64Mi' } });
    await writePodMetrics(env.kc, b, { web: { cpu: '123456789n', memory: '65536Ki' }, sidecar: { cpu: '5m', memory: '1Mi' } });
    // pods of objects tutti does not manage: another tool's, and one with no labels of tutti's at all
    const ns = env.namespace;
    await writePodMetrics(env.kc, { metadata: { name: 'chart-6c7d9-p0w3e', namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/name': 'web' } } }, { web: { cpu: '1', memory: '1Gi' } });
    await writePodMetrics(env.kc, { metadata: { name: 'legacy-5d8f4-k2x9q', namespace: ns, labels: { app: 'legacy' } } }, { legacy: { cpu: '2', memory: '2Gi' } });

    expect(usage(await env.runtime.stats())).toEqual({
      [a.metadata!.name!]: { cpu: 25, memory: 64 * MiB },
      [b.metadata!.name!]: { cpu: 12.3456789 + 0.5, memory: 65 * MiB },
    });
    expect(Object.keys(await env.runtime.stats()).sort()).toEqual(env.runtime.instances('web').map((i) => i.id).sort());

    // metrics-server measured again: the next stats() sees it; a pod it no longer reports is left out
    await writePodMetrics(env.kc, a, { web: { cpu: '1500m', memory: '1.5Gi' } });
    await deletePodMetrics(env.kc, ns, b.metadata!.name!);
    expect(usage(await env.runtime.stats())).toEqual({ [a.metadata!.name!]: { cpu: 150, memory: 1.5 * 1024 * MiB } });
  });

  it('counts CPU seconds between metrics-server\'s readings (what `tutti top` and alert rules take the rate of)', async () => {
    expect(phases(await applied(env.runtime, deployment(spec('worker')))).at(-1)).toBe('done');
    const [pod] = await podsOf('worker');
    const id = pod.metadata!.name!;
    const own = await KubeApi.connect(await loadClusterTarget({ kubeConfig: env.kc, namespace: env.namespace }));
    try {
      const reader = new PodStatsReader(own, MANAGED_SELECTOR);
      const t0 = Date.parse('2024-05-01T12:00:00Z');
      await writePodMetrics(env.kc, pod, { worker: { cpu: '500m', memory: '10Mi' } }, new Date(t0));
      expect((await reader.read())[id]).toEqual({ cpu: 50, memory: 10 * MiB, cpuSeconds: 0 });
      await writePodMetrics(env.kc, pod, { worker: { cpu: '2', memory: '10Mi' } }, new Date(t0 + 15_000));
      expect((await reader.read())[id]).toEqual({ cpu: 200, memory: 10 * MiB, cpuSeconds: 30 });
    } finally {
      await own.close();
    }
  });

  it('answers nothing, telling once, when RBAC does not allow reading the metrics API; get and list on metrics.k8s.io pods is enough', async () => {
    // a PodMetrics as of a pod of tutti's (the pod itself is not needed to read it)
    const name = 'probe-5f6c7-q1w2e';
    await writePodMetrics(env.kc, { metadata: { name, namespace: env.namespace, labels: { 'app.kubernetes.io/managed-by': 'tutti' } } }, { probe: { cpu: '10m', memory: '3Mi' } });
    const user = 'tutti-metrics-reader';
    const api = await apiAs(user);
    try {
      const warn = vi.fn();
      const reader = new PodStatsReader(api, MANAGED_SELECTOR, warn);
      expect(await reader.read()).toEqual({});
      expect(await reader.read()).toEqual({});
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatchObject({ code: 'TUTTI_E_FORBIDDEN', message: expect.stringMatching(/list pod metrics/) });

      // the rule `tutti render control-plane` grants for it
      const k8s = await clientNode();
      const rbac = env.kc.makeApiClient(k8s.RbacAuthorizationV1Api);
      const namespace = env.namespace;
      await rbac.createNamespacedRole({ namespace, body: { metadata: { name: 'metrics-reader' }, rules: [{ apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: ['get', 'list'] }] } });
      await rbac.createNamespacedRoleBinding({
        namespace,
        body: { metadata: { name: 'metrics-reader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'metrics-reader' }, subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }] },
      });
      // RBAC changes reach the authorizer through its watch: poll briefly
      const seen = await waitFor(async () => (await reader.read())[name], { timeout: 15_000, interval: 100, message: 'the metrics once RBAC allows them' });
      expect(seen).toMatchObject({ cpu: 1, memory: 3 * MiB });
    } finally {
      await api.close();
    }
  });
});
