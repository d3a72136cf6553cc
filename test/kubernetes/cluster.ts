// The API server the kubernetes tests run against: a real kube-apiserver (1.20, with etcd and
// the infrastructure controllers) started by ../shared/k8s/start-apiserver.sh, which is
// idempotent (a running one is reused) and caches its build. TUTTI_K8S_KUBECONFIG points the
// tests at another test cluster instead; KUBECONFIG is deliberately not used, so the tests
// never touch the cluster a developer works with. Every test file gets namespaces of its own.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { clientNode } from '../../src/runtime/kubernetes/client-node.js';
import { waitFor } from '../fixtures/wait.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const START_SCRIPT = path.resolve(here, '../../../shared/k8s/start-apiserver.sh');

/** Why the kubernetes tests cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  if (process.env.TUTTI_K8S_SKIP) return process.env.TUTTI_K8S_SKIP;
  if (process.env.TUTTI_K8S_KUBECONFIG) return undefined;
  if (!existsSync(START_SCRIPT)) return `no test API server: ${START_SCRIPT} is absent and TUTTI_K8S_KUBECONFIG is not set`;
  return undefined;
}

export interface TestCluster {
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
}

/** Starts (or reuses) the test API server; the first build of it takes minutes, later starts seconds. */
export async function startCluster(): Promise<TestCluster> {
  let kubeconfigPath = process.env.TUTTI_K8S_KUBECONFIG;
  if (!kubeconfigPath) {
    const { stdout } = await promisify(execFile)(START_SCRIPT, ['start'], { timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 });
    kubeconfigPath = stdout.trim().split('\n').at(-1)!;
  }
  const k8s = await clientNode();
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return { kubeconfigPath, kubeConfig };
}

/** A fresh namespace whose default ServiceAccount exists (pods need it to pass admission). */
export async function createNamespace(kc: KubeConfig, prefix = 'tutti-test'): Promise<string> {
  const k8s = await clientNode();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name, labels: { 'tutti.dev/test': 'true' } } } });
  await waitFor(() => core.readNamespacedServiceAccount({ name: 'default', namespace: name }).then(() => true, () => false), {
    timeout: 30_000, interval: 100, message: `the default ServiceAccount of ${name}`,
  });
  return name;
}

export async function deleteNamespace(kc: KubeConfig, name: string): Promise<void> {
  const k8s = await clientNode();
  await kc.makeApiClient(k8s.CoreV1Api).deleteNamespace({ name }).catch(() => {});
}
