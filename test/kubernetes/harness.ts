// One kubernetes test environment per test file: the API server, a namespace of its own, the
// FakeNode playing the node in it, and a driver on it. Tests that need the API server skip,
// saying why, only when there is none to start.

import type { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import type { ServiceSpec } from '../../src/core/index.js';
import { testServiceSpec } from '../../src/core/test-service-spec.js';
import type { Deployment, Progress } from '../../src/runtime/index.js';
import { clientNode } from '../../src/runtime/kubernetes/client-node.js';
import { createKubernetesRuntime, type KubernetesRuntime, type KubernetesRuntimeOptions } from '../../src/runtime/kubernetes/index.js';
import { collect, waitFor } from '../fixtures/wait.js';
import { createNamespace, deleteNamespace, skipReason, startCluster, type TestCluster } from './cluster.js';
import { FakeNode } from './fake-node.js';

export const SKIP = skipReason();

export interface KubeEnv {
  cluster: TestCluster;
  kc: KubeConfig;
  namespace: string;
  node: FakeNode;
  runtime: KubernetesRuntime;
  apps: AppsV1Api;
  core: CoreV1Api;
  /** another driver on the same namespace (a restarted daemon, another user) */
  newRuntime(opts?: KubernetesRuntimeOptions): Promise<KubernetesRuntime>;
}

/** Sets the environment up once for the file (beforeAll) and tears it down (afterAll). */
export function kubeEnv(prefix: string): KubeEnv {
  const env = {} as KubeEnv;
  const extra: KubernetesRuntime[] = [];
  beforeAll(async () => {
    if (SKIP) return;
    env.cluster = await startCluster();
    env.kc = env.cluster.kubeConfig;
    env.namespace = await createNamespace(env.kc, prefix);
    env.node = await FakeNode.start({ kubeConfig: env.kc, namespace: env.namespace });
    const k8s = await clientNode();
    env.apps = env.kc.makeApiClient(k8s.AppsV1Api);
    env.core = env.kc.makeApiClient(k8s.CoreV1Api);
    env.newRuntime = async (opts = {}) => {
      const r = await createKubernetesRuntime({ kubeConfig: env.kc, namespace: env.namespace, ...opts });
      extra.push(r);
      return r;
    };
    env.runtime = await env.newRuntime();
  }, 15 * 60_000);
  afterAll(async () => {
    if (SKIP) return;
    await Promise.allSettled(extra.map((r) => r.detach()));
    // the namespace goes while the node still runs: it confirms the deletion of every pod, as a kubelet does
    if (env.namespace) {
      await deleteNamespace(env.kc, env.namespace);
      await waitFor(() => env.core.readNamespace({ name: env.namespace }).then(() => false, () => true), { timeout: 45_000, interval: 200 }).catch(() => {});
    }
    await env.node?.stop();
  }, 90_000);
  return env;
}

/** The same cluster, as another user (impersonated by the admin: Impersonate-User). */
export async function impersonating(kc: KubeConfig, user: string): Promise<KubeConfig> {
  const k8s = await clientNode();
  const cluster = kc.getCurrentCluster()!;
  const admin = kc.getCurrentUser()!;
  const out = new k8s.KubeConfig();
  out.loadFromOptions({
    clusters: [cluster],
    users: [{ ...admin, impersonateUser: user }],
    contexts: [{ name: 'impersonated', cluster: cluster.name, user: admin.name }],
    currentContext: 'impersonated',
  });
  return out;
}

export function spec(name: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return testServiceSpec(name, {
    image: `registry.example/${name}:1`,
    command: [],
    readyTimeoutMs: 10_000,
    stopGraceMs: 1000,
    revision: `${name}-r1`,
    ...over,
  });
}

export function deployment(s: ServiceSpec, replicas = s.replicas, env: Record<string, string> = {}): Deployment {
  return { spec: s, replicas, env: { TUTTI_STACK: 'shop', ...env } };
}

export const phases = (progress: Progress[]) => progress.map((p) => p.phase);

export async function applied(runtime: KubernetesRuntime, d: Deployment): Promise<Progress[]> {
  return collect(runtime.apply(d, AbortSignal.timeout(60_000)));
}
