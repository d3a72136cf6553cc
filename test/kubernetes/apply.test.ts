// The kubernetes driver against a real API server: what an apply creates, that a re-apply
// with nothing changed makes no write request, that a changed image rolls the pods, that
// prune and remove delete only what tutti manages, and that objects tutti does not own —
// or fields someone else changed — are not silently overwritten. The FakeNode plays the
// node (pods never run on this API server): it creates the pods and marks them ready.

import { describe, expect, it } from 'vitest';
import { waitFor } from '../fixtures/wait.js';
import { applied, deployment, kubeEnv, phases, SKIP, spec } from './harness.js';

const env = kubeEnv('tutti-apply');

describe.skipIf(SKIP)(`kubernetes driver: apply, re-apply, prune${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('applies a service as a Deployment, a Service and a Secret, server-side as tutti, and waits for the rollout', async () => {
    const web = spec('web', { replicas: 2, port: 0, env: { LOG_LEVEL: 'info', API_TOKEN: 's3cret' } });
    const progress = await applied(env.runtime, deployment(web));
    expect(phases(progress).filter((p) => p === 'starting')).toHaveLength(2);
    expect(phases(progress).filter((p) => p === 'ready')).toHaveLength(2);
    expect(phases(progress).at(-1)).toBe('done');

    const d = await env.apps.readNamespacedDeployment({ name: 'web', namespace: env.namespace });
    expect(d.metadata?.labels).toEqual({ 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'tutti' });
    expect(d.metadata?.managedFields?.find((m) => m.manager === 'tutti')?.operation).toBe('Apply');
    expect(d.spec?.template.metadata?.annotations?.['tutti.dev/revision']).toBe('web-r1');
    const svc = await env.core.readNamespacedService({ name: 'web', namespace: env.namespace });
    expect(svc.spec?.ports?.map((p) => [p.port, p.targetPort, p.protocol])).toEqual([[8080, 8080, 'TCP']]);
    const secret = await env.core.readNamespacedSecret({ name: 'web-env', namespace: env.namespace });
    expect(Buffer.from(secret.data!.API_TOKEN, 'base64').toString()).toBe('s3cret');

    const instances = env.runtime.instances('web');
    expect(instances).toHaveLength(2);
    expect(instances.every((i) => i.ready && i.state === 'running' && /^10\.244\./.test(i.address) && i.port === 8080 && i.revision === 'web-r1')).toBe(true);
    expect(instances.map((i) => i.slot).sort()).toEqual([0, 1]);
  });

  it('re-applies with nothing changed without writing anything', async () => {
    const web = spec('web', { replicas: 2, port: 0, env: { LOG_LEVEL: 'info', API_TOKEN: 's3cret' } });
    const before = env.runtime.requests();
    const progress = await applied(env.runtime, deployment(web));
    expect(phases(progress)).toEqual(['unchanged', 'done']);
    const after = env.runtime.requests();
    expect(after.writes - before.writes).toBe(0);
    expect(after.reads - before.reads).toBe(0); // compared against the watched caches
  });

  it('a driver started afresh (a restarted daemon) re-applies without writing either', async () => {
    const fresh = await env.newRuntime();
    const web = spec('web', { replicas: 2, port: 0, env: { LOG_LEVEL: 'info', API_TOKEN: 's3cret' } });
    expect(phases(await applied(fresh, deployment(web)))).toEqual(['unchanged', 'done']);
    expect(fresh.requests().writes).toBe(0);
    expect(fresh.instances('web')).toHaveLength(2);
    await fresh.detach();
  });

  it('re-applies resources the server stores in another notation (1000000000 → 1G) without writing', async () => {
    const sized = spec('sized', { port: 0, resources: { requests: { cpuMillis: 1500, memoryBytes: 1536 }, limits: { cpuMillis: 2000, memoryBytes: 1_000_000_000 } } });
    expect(phases(await applied(env.runtime, deployment(sized))).at(-1)).toBe('done');
    const stored = (await env.apps.readNamespacedDeployment({ name: 'sized', namespace: env.namespace })).spec!.template.spec!.containers[0].resources;
    expect(stored).toEqual({ requests: { cpu: '1500m', memory: '1536' }, limits: { cpu: '2', memory: '1G' } });
    const fresh = await env.newRuntime();
    expect(phases(await applied(fresh, deployment(sized)))).toEqual(['unchanged', 'done']);
    expect(fresh.requests().writes).toBe(0);
    await fresh.detach();
    await env.runtime.remove('sized');
  });

  it('rolls the pods out again when the image changes, writing only the Deployment', async () => {
    const before = env.runtime.requests();
    const old = env.runtime.instances('web').map((i) => i.id);
    const web = spec('web', { image: 'registry.example/web:2', revision: 'web-r2', replicas: 2, port: 0, env: { LOG_LEVEL: 'info', API_TOKEN: 's3cret' } });
    const progress = await applied(env.runtime, deployment(web));
    expect(phases(progress).at(-1)).toBe('done');
    expect(phases(progress).filter((p) => p === 'stopping')).toHaveLength(2);
    expect(env.runtime.requests().writes - before.writes).toBe(1);
    const now = env.runtime.instances('web');
    expect(now).toHaveLength(2);
    expect(now.every((i) => i.revision === 'web-r2' && i.ready && !old.includes(i.id))).toBe(true);
    const d = await env.apps.readNamespacedDeployment({ name: 'web', namespace: env.namespace });
    expect(d.spec?.template.spec?.containers[0].image).toBe('registry.example/web:2');
  });

  it('scales without replacing pods', async () => {
    const web = spec('web', { image: 'registry.example/web:2', revision: 'web-r2', port: 0, env: { LOG_LEVEL: 'info', API_TOKEN: 's3cret' } });
    const kept = env.runtime.instances('web').map((i) => i.id);
    const down = await applied(env.runtime, deployment(web, 1));
    expect(phases(down)).toEqual(['stopping', 'done']);
    expect(kept).toContain(env.runtime.instances('web')[0].id);
    const up = await applied(env.runtime, deployment(web, 3));
    expect(phases(up).filter((p) => p === 'ready')).toHaveLength(2);
    expect(env.runtime.instances('web')).toHaveLength(3);
  });

  it('drops the Secret when the service no longer has secret values', async () => {
    const web = spec('web', { image: 'registry.example/web:2', revision: 'web-r3', port: 0, env: { LOG_LEVEL: 'info' } });
    expect(phases(await applied(env.runtime, deployment(web, 3))).at(-1)).toBe('done');
    await expect(env.core.readNamespacedSecret({ name: 'web-env', namespace: env.namespace })).rejects.toMatchObject({ code: 404 });
  });

  it('drops a health check the manifest no longer has (server-side apply alone cannot on 1.20)', async () => {
    const health = { http: '/healthz', intervalMs: 1000, timeoutMs: 1000, healthyAfter: 1, unhealthyAfter: 3, startPeriodMs: 0 };
    await applied(env.runtime, deployment(spec('checked', { health })));
    const probed = await env.apps.readNamespacedDeployment({ name: 'checked', namespace: env.namespace });
    expect(probed.spec?.template.spec?.containers[0].readinessProbe?.httpGet?.path).toBe('/healthz');
    expect(phases(await applied(env.runtime, deployment(spec('checked', { revision: 'checked-r2' })))).at(-1)).toBe('done');
    const plain = await env.apps.readNamespacedDeployment({ name: 'checked', namespace: env.namespace });
    const c = plain.spec?.template.spec?.containers[0];
    expect([c?.readinessProbe, c?.livenessProbe, c?.startupProbe]).toEqual([undefined, undefined, undefined]);
    expect(plain.metadata?.managedFields?.map((m) => `${m.manager}/${m.operation}`)).not.toContain('tutti/Update');
    await env.runtime.remove('checked');
  });

  it('prunes the services the manifest no longer names, and only tutti\'s objects of that stack', async () => {
    await applied(env.runtime, deployment(spec('worker')));
    await applied(env.runtime, deployment(spec('reports'), 1, { TUTTI_STACK: 'billing' }));
    // an object tutti does not manage, with tutti's part-of label but no managed-by
    await env.apps.createNamespacedDeployment({
      namespace: env.namespace,
      body: {
        metadata: { name: 'legacy', labels: { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/name': 'legacy' } },
        spec: { replicas: 0, selector: { matchLabels: { app: 'legacy' } }, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'legacy:1' }] } } },
      },
    });
    const deleted = await env.runtime.prune('shop', ['web']);
    expect(deleted.sort()).toEqual(['Deployment/worker', 'Service/worker']);
    const names = (await env.apps.listNamespacedDeployment({ namespace: env.namespace })).items.map((d) => d.metadata?.name).sort();
    expect(names).toEqual(['legacy', 'reports', 'web']);
  });

  it('remove deletes the service\'s objects and waits for its pods to go; unmanaged objects stay', async () => {
    const removed: string[] = [];
    const stop = env.runtime.observe((e) => e.change === 'removed' && e.instance.service === 'web' && removed.push(e.instance.id));
    const before = env.runtime.instances('web').map((i) => i.id);
    await env.runtime.remove('web');
    stop();
    expect(env.runtime.instances('web')).toEqual([]);
    expect(removed.sort()).toEqual(before.sort());
    await expect(env.apps.readNamespacedDeployment({ name: 'web', namespace: env.namespace })).rejects.toMatchObject({ code: 404 });
    await expect(env.core.readNamespacedService({ name: 'web', namespace: env.namespace })).rejects.toMatchObject({ code: 404 });
    expect((await env.apps.readNamespacedDeployment({ name: 'legacy', namespace: env.namespace })).metadata?.name).toBe('legacy');
  });

  it('refuses to take over an object of the same name that tutti does not manage', async () => {
    const progress = await applied(env.runtime, deployment(spec('legacy')));
    expect(progress.at(-1)?.phase).toBe('failed');
    expect(progress.at(-1)?.message).toMatch(/Deployment legacy already exists in namespace .* and is not managed by tutti; tutti leaves it alone/);
    const d = await env.apps.readNamespacedDeployment({ name: 'legacy', namespace: env.namespace });
    expect(d.spec?.template.spec?.containers[0].image).toBe('legacy:1');
    expect(d.metadata?.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
  });

  it('refuses to take another stack\'s service', async () => {
    const progress = await applied(env.runtime, deployment(spec('reports')));
    expect(progress.at(-1)?.message).toMatch(/Service reports already exists .* and belongs to stack billing/);
  });

  it('reports a field someone else changed as a conflict, changing nothing, and takes it back when forced', async () => {
    const api = spec('api');
    await applied(env.runtime, deployment(api));
    const k8s = await import('../../src/runtime/kubernetes/client-node.js').then((m) => m.clientNode());
    // someone edits the image by hand (as `kubectl edit` / `kubectl set image` would)
    await env.apps.patchNamespacedDeployment(
      { name: 'api', namespace: env.namespace, fieldManager: 'kubectl-edit', body: { spec: { template: { spec: { containers: [{ name: 'api', image: 'registry.example/api:hotfix' }] } } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    // the hand-edited template rolls out (the node plays along); by then tutti's watch has seen the edit
    const pods = env.runtime.instances('api').map((i) => i.id);
    await waitFor(() => env.runtime.instances('api').some((i) => !pods.includes(i.id) && i.ready), { message: 'the hotfix pod' });
    const before = env.runtime.requests();
    const progress = await applied(env.runtime, deployment(api));
    expect(progress.at(-1)?.phase).toBe('failed');
    expect(progress.at(-1)?.message).toMatch(/cannot apply Deployment api: someone else changed fields tutti sets: .*image.*kubectl-edit/);
    expect(env.runtime.requests().writes - before.writes).toBe(1); // the refused apply
    const d = await env.apps.readNamespacedDeployment({ name: 'api', namespace: env.namespace });
    expect(d.spec?.template.spec?.containers[0].image).toBe('registry.example/api:hotfix');

    const forced = await env.newRuntime({ forceConflicts: true });
    expect(phases(await applied(forced, deployment(api))).at(-1)).toBe('done');
    const back = await env.apps.readNamespacedDeployment({ name: 'api', namespace: env.namespace });
    expect(back.spec?.template.spec?.containers[0].image).toBe('registry.example/api:1');
  });
});
