// Bad input, against a real API server: an unreachable cluster, credentials it refuses, a user
// without the rights, a namespace that does not exist, a service without an image, and an
// object the API server rejects after others were applied — each a clear error that says
// what and where, and nothing half-applied without saying so.

import type { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { isTuttiError } from '../../src/core/index.js';
import { freePort } from '../fixtures/free-port.js';
import { clientNode } from '../../src/runtime/kubernetes/client-node.js';
import { createKubernetesRuntime } from '../../src/runtime/kubernetes/index.js';
import { applied, deployment, kubeEnv, SKIP, spec } from './harness.js';

const env = kubeEnv('tutti-bad');

/** The test cluster's kubeconfig with another server, token or identity. */
async function variant(over: { server?: string; token?: string; as?: string }): Promise<KubeConfig> {
  const k8s = await clientNode();
  const cluster = env.kc.getCurrentCluster()!;
  const user = env.kc.getCurrentUser()!;
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, server: over.server ?? cluster.server }],
    users: [{ ...user, token: over.token ?? user.token, ...(over.as && { impersonateUser: over.as }) }],
    contexts: [{ name: 'variant', cluster: cluster.name, user: user.name }],
    currentContext: 'variant',
  });
  return kc;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; hint?: string }> {
  try {
    await p;
  } catch (err) {
    if (isTuttiError(err)) return { code: err.code, message: err.message, hint: err.hint };
    throw err;
  }
  throw new Error('expected a failure');
}

describe.skipIf(SKIP)(`kubernetes driver: bad input${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('an unreachable cluster: which server, why, and what to check', async () => {
    const port = await freePort(); // nothing listens there
    const kubeConfig = await variant({ server: `https://127.0.0.1:${port}` });
    const e = await failure(createKubernetesRuntime({ kubeConfig, namespace: env.namespace }));
    expect(e.code).toBe('TUTTI_E_UNAVAILABLE');
    expect(e.message).toMatch(new RegExp(`^cannot reach the Kubernetes API at https://127\\.0\\.0\\.1:${port} to list \\w+: .*ECONNREFUSED`));
    expect(e.hint).toMatch(/context variant/);
  });

  it('credentials the API server refuses (expired): 401, which context, log in again', async () => {
    const kubeConfig = await variant({ token: 'expired-or-revoked-token' });
    const e = await failure(createKubernetesRuntime({ kubeConfig, namespace: env.namespace }));
    expect(e.code).toBe('TUTTI_E_UNAUTHORIZED');
    expect(e.message).toMatch(/refused the credentials of context variant \(401 Unauthorized\).*they may have expired/);
  });

  it('a user without rights in the namespace: what was refused, by RBAC, with the way out', async () => {
    const kubeConfig = await variant({ as: `system:serviceaccount:${env.namespace}:nobody` });
    const e = await failure(createKubernetesRuntime({ kubeConfig, namespace: env.namespace }));
    expect(e.code).toBe('TUTTI_E_FORBIDDEN');
    expect(e.message).toMatch(new RegExp(`^not allowed to list \\w+s in namespace ${env.namespace}: .*cannot list resource`));
    expect(e.hint).toMatch(/tutti render control-plane/);
  });

  it('a namespace that does not exist: said so, with how to create it', async () => {
    const runtime = await env.newRuntime({ namespace: 'no-such-namespace-here' });
    const progress = await applied(runtime, deployment(spec('web')));
    expect(progress.at(-1)?.phase).toBe('failed');
    expect(progress.at(-1)?.message).toMatch(/^namespace no-such-namespace-here does not exist .*kubectl create namespace no-such-namespace-here/);
  });

  it('a service with a command and no image is refused on this runtime', async () => {
    const progress = await applied(env.runtime, deployment(spec('local', { image: undefined, command: ['node', 'local.js'] })));
    expect(progress.at(-1)?.message).toMatch(/^service local has no image, which the kubernetes runtime needs/);
    await expect(env.apps.readNamespacedDeployment({ name: 'local', namespace: env.namespace })).rejects.toMatchObject({ code: 404 });
  });

  it('an object the API server rejects after others were applied says which ones were', async () => {
    // requests above limits: valid for tutti's manifest types, refused by the API server's validation
    const broken = spec('half', { env: { DB_PASSWORD: 'pw' }, resources: { requests: { cpuMillis: 2000 }, limits: { cpuMillis: 1000 } } });
    const progress = await applied(env.runtime, deployment(broken));
    const failed = progress.at(-1)!;
    expect(failed.phase).toBe('failed');
    expect(failed.message).toMatch(/^the Kubernetes API rejected the request to apply Deployment half: .*must be less than or equal to cpu limit \(already applied: (Secret\/half-env, Service\/half|Service\/half, Secret\/half-env)\)$/);
  });
});
