// The kubernetes driver runs the shared Runtime contract suite (src/runtime/contract-suite.ts)
// against a real API server. Pods never run there, so the FakeNode plays the node and stands
// in for the three test images: it reads each pod's environment (as the container would) and
// does what the test service would — serve and pass its probe (or fail it with HEALTH_STATUS),
// crash with EXIT_CODE, print LINES and ticks — as a kubelet reports such a container. An
// instance's VERSION is read from its pod's environment, which is what the container would run with.

import type { V1Pod } from '@kubernetes/client-node';
import type { ServiceSpec } from '../../src/core/index.js';
import { testServiceSpec } from '../../src/core/test-service-spec.js';
import { runRuntimeContract } from '../../src/runtime/contract-suite.js';
import { describe, it } from 'vitest';
import type { PodScript } from './fake-node.js';
import { kubeEnv, SKIP } from './harness.js';

const env = kubeEnv('tutti-contract');
const STACK = 'contract';

/** What each test image does, as the kubelet would report it. */
function emulate(pod: V1Pod, vars: Record<string, string>): PodScript {
  const image = pod.spec?.containers[0].image ?? '';
  if (image.endsWith(':http-server')) {
    const status = Number(vars.HEALTH_STATUS ?? 200);
    if (status < 400) return { logs: [`listening on ${vars.PORT}`] };
    return { ready: false, logs: [`listening on ${vars.PORT}`], events: [{ reason: 'Unhealthy', message: `Readiness probe failed: HTTP probe failed with statuscode: ${status}` }] };
  }
  if (image.endsWith(':exit-with')) {
    const code = Number(vars.EXIT_CODE ?? 1);
    return { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' }, restarts: 2, lastExit: { exitCode: code }, logs: [`starting, will exit with ${code}`, `exiting with ${code}`] };
  }
  if (image.endsWith(':print-lines')) {
    const lines = Array.from({ length: Number(vars.LINES ?? 0) }, (_, i) => `line ${i + 1}`);
    return { logs: [...lines, 'done'], ...(vars.TICK_MS && { tickMs: Number(vars.TICK_MS) }) };
  }
  return {};
}

function fixture(name: string, image: string, over: Partial<ServiceSpec>, health?: ServiceSpec['health']): ServiceSpec {
  return testServiceSpec(name, {
    image: `tutti-test-fixtures:${image}`,
    command: [],
    health,
    stopGraceMs: 1000,
    readyTimeoutMs: 15_000,
    revision: 'r1',
    ...over,
  });
}

if (SKIP) {
  describe('runtime contract: kubernetes', () => it.skip(`(skipped: ${SKIP})`, () => {}));
} else {
  runRuntimeContract({
    name: 'kubernetes',
    env: { TUTTI_STACK: STACK },
    async create() {
      env.node.behaviour = emulate;
      const runtime = await env.newRuntime();
      return {
        runtime,
        async cleanup() {
          for (const service of new Set(runtime.instances().map((i) => i.service))) await runtime.remove(service);
          await (runtime as Awaited<ReturnType<typeof env.newRuntime>>).prune(STACK, []);
          await runtime.detach();
        },
      };
    },
    fixtures: {
      server: (name, over = {}) => fixture(name, 'http-server', over, { http: '/healthz', intervalMs: 1000, timeoutMs: 1000, healthyAfter: 1, unhealthyAfter: 2, startPeriodMs: 0 }),
      crasher: (name, over = {}) => fixture(name, 'exit-with', over),
      printer: (name, over = {}) => fixture(name, 'print-lines', over),
    },
    async version(info) {
      const pod = await env.core.readNamespacedPod({ name: info.id, namespace: env.namespace });
      return pod.spec?.containers[0].env?.find((e) => e.name === 'VERSION')?.value ?? '';
    },
  });
}
