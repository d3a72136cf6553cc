// `tutti up --runtime kubernetes` end to end: the CLI starts a daemon on the kubernetes
// runtime (KUBECONFIG points it at the test API server), which applies each service as a
// Deployment and a Service in the namespace given by `--namespace`; the FakeNode plays the
// node (it runs in this test process, beside the daemon, and marks the pods ready and fills
// the Deployments' status as a kubelet and the deployment controller would). `ps` shows the
// pods as instances, `logs` their output, `scale` changes the Deployment; `up` prunes what tutti left of a service the manifest no longer names,
// and `down` deletes only tutti's objects of the stack.

import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { run } from '../helpers/tutti.js';
import { kubeProject } from './cli-project.js';
import { kubeEnv, SKIP } from './harness.js';

const env = kubeEnv('tutti-up');

const MANIFEST = `
name: shop
services:
  db:
    image: registry.example/db:1
    command: [db, --serve]
    port: 5432
    protocol: tcp
  api:
    image: registry.example/api:1
    command: [api]
    depends_on: { db: healthy }
    replicas: 2
`;

/** A Deployment as an earlier `tutti up` of the stack would have left it, for a service since dropped. */
function leftover(namespace: string): V1Deployment {
  const labels = { 'app.kubernetes.io/name': 'ghost', 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'tutti' };
  return {
    metadata: { name: 'ghost', namespace, labels },
    spec: {
      replicas: 0,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'ghost', image: 'registry.example/ghost:1' }] } },
    },
  };
}

describe.skipIf(SKIP)(`tutti up --runtime kubernetes${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  const k = kubeProject(env, MANIFEST);
  const tutti = k.tutti;

  it('applies the stack, shows its pods in ps, and down removes only what tutti manages', async () => {
    const ns = env.namespace;
    const managed = 'app.kubernetes.io/managed-by=tutti';
    // not tutti's: a Service of the same stack name without the managed-by label
    await env.core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'legacy', labels: { 'app.kubernetes.io/part-of': 'shop' } }, spec: { ports: [{ port: 80, protocol: 'TCP' }] } },
    });
    await env.apps.createNamespacedDeployment({ namespace: ns, body: leftover(ns) });

    env.node.behaviour = (pod) => ({ logs: [`hello from ${pod.metadata!.name}`] });
    const up = await tutti('up', '--runtime', 'kubernetes', '--namespace', ns);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(up.stdout).toMatch(/shop is up/);
    expect(up.stdout).toMatch(/Deployment\/ghost\s+removed/);

    const deployments = await env.apps.listNamespacedDeployment({ namespace: ns, labelSelector: managed });
    expect(deployments.items.map((d) => d.metadata!.name).sort()).toEqual(['api', 'db']); // ghost pruned
    expect(deployments.items.find((d) => d.metadata!.name === 'api')?.spec?.template.spec?.containers[0].image).toBe('registry.example/api:1');

    const status = (await run(['ps', '--json'], { cwd: k.project.dir, env: k.env })).stdout;
    const ps = JSON.parse(status) as { services: Array<{ name: string; ready: number; endpoint?: string; clusterUrl?: string }>; instances: Array<{ service: string; address: string }> };
    expect(ps.services.map((s) => [s.name, s.ready])).toEqual([['db', 1], ['api', 2]]);
    // the address other pods use, beside the stable endpoint on this machine (which workflows call)
    expect(ps.services.map((s) => s.clusterUrl)).toEqual([`tcp://db.${ns}.svc:5432`, `http://api.${ns}.svc:8080`]);
    expect(ps.services.every((s) => /^(http|tcp):\/\/127\.0\.0\.1:\d+$/.test(s.endpoint ?? ''))).toBe(true);
    expect(ps.instances.filter((i) => i.service === 'api')).toHaveLength(2);
    expect(ps.instances.every((i) => /^10\.244\./.test(i.address))).toBe(true);

    // logs come from the pods, scale goes to the Deployment
    const logs = await tutti('logs', 'api');
    expect(logs.stdout).toMatch(/hello from api-/);
    const scaled = await tutti('scale', 'api=3');
    expect(scaled.code, `${scaled.stdout}\n${scaled.stderr}`).toBe(0);
    expect((await env.apps.readNamespacedDeployment({ name: 'api', namespace: ns })).spec?.replicas).toBe(3);

    // without --runtime, up goes on where the project's stack runs (.tutti/runtime.json)
    const again = await tutti('up');
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    // naming the context and namespace it drives (the kubeconfig's current one) is no move
    const named = await tutti('up', '--runtime', 'kubernetes', '--context', env.kc.getCurrentContext(), '--namespace', ns);
    expect(named.code, `${named.stdout}\n${named.stderr}`).toBe(0);
    // a namespace other than the one the control plane drives is refused, not ignored
    const elsewhere = await tutti('up', '--runtime', 'kubernetes', '--namespace', 'elsewhere');
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain(`runs services in kubernetes namespace ${ns}, not elsewhere`);

    // the same project cannot move to the process runtime under its stack
    const moved = await tutti('up', '--runtime', 'process');
    expect(moved.code).toBe(1);
    expect(moved.stderr).toMatch(/runs services on the kubernetes runtime, not process/);
    expect(moved.stderr).toMatch(/tutti down/);

    const down = await tutti('down');
    expect(down.code, `${down.stdout}\n${down.stderr}`).toBe(0);
    expect((await env.apps.listNamespacedDeployment({ namespace: ns, labelSelector: managed })).items).toEqual([]);
    expect((await env.core.listNamespacedService({ namespace: ns, labelSelector: managed })).items).toEqual([]);
    expect((await env.core.readNamespacedService({ name: 'legacy', namespace: ns })).metadata?.name).toBe('legacy');
  });
});
