// The orchestrator driving the kubernetes driver, against a real API server (the FakeNode plays
// the node): a stack with a dependency is applied in order, the dependent gets its dependency's
// cluster DNS name, pods show up as instances in the stack's status, a service removed from
// the manifest is removed, and `down` leaves nothing of tutti's behind. The services have an
// image and no command: on Kubernetes the orchestrator's local pre-flight (command on the
// PATH, fixed port free) does not apply.

import { describe, expect, it } from 'vitest';
import type { StackSpec } from '../../src/core/index.js';
import { createOrchestrator } from '../../src/orchestrator/index.js';
import { kubeEnv, SKIP, spec } from './harness.js';
import { finished, memoryStore } from './orchestrated.js';

const env = kubeEnv('tutti-orch');

function stackOf(names: string[]): StackSpec {
  const all = {
    db: spec('db', { port: 5432, protocol: 'tcp' }),
    api: spec('api', { replicas: 2, dependsOn: { db: 'healthy' } }),
    worker: spec('worker'),
  };
  const services = Object.fromEntries(names.map((n) => [n, all[n as keyof typeof all]]));
  return { name: 'shop', file: '/srv/shop/tutti.yaml', dir: '/srv/shop', services, order: names, runtime: 'kubernetes' };
}

describe.skipIf(SKIP)(`orchestrator on the kubernetes driver${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('applies in dependency order, removes what the manifest drops, and takes the stack down', async () => {
    const runtime = await env.newRuntime();
    const orchestrator = await createOrchestrator({ store: memoryStore(), runtime });
    try {
      const op = await orchestrator.apply(stackOf(['db', 'api', 'worker']));
      const done = await finished(orchestrator, op.id);
      expect(done.ok).toBe(true);
      const order = done.events.filter((e) => e.phase === 'done').map((e) => e.service);
      expect(order.indexOf('db')).toBeLessThan(order.indexOf('api'));
      const status = orchestrator.status()!;
      expect(status.services.map((s) => [s.name, s.state, s.ready])).toEqual([['db', 'running', 1], ['api', 'running', 2], ['worker', 'running', 1]]);
      expect(status.instances.filter((i) => i.service === 'api').every((i) => /^10\.244\./.test(i.address))).toBe(true);
      const api = await env.apps.readNamespacedDeployment({ name: 'api', namespace: env.namespace });
      expect(api.spec?.template.spec?.containers[0].env?.find((e) => e.name === 'DB_URL')?.value).toBe(`tcp://db.${env.namespace}.svc:5432`);

      const again = await orchestrator.apply(stackOf(['db', 'api']));
      expect((await finished(orchestrator, again.id)).ok).toBe(true);
      await expect(env.apps.readNamespacedDeployment({ name: 'worker', namespace: env.namespace })).rejects.toMatchObject({ code: 404 });

      const down = await orchestrator.down();
      expect((await finished(orchestrator, down.id)).ok).toBe(true);
      const left = await env.apps.listNamespacedDeployment({ namespace: env.namespace, labelSelector: 'app.kubernetes.io/managed-by=tutti' });
      expect(left.items).toEqual([]);
      expect(runtime.instances()).toEqual([]);
    } finally {
      await orchestrator.close();
    }
  });
});
