// Pods' CPU and memory end to end: a daemon on the kubernetes runtime (`tutti up --runtime
// kubernetes`, KUBECONFIG pointing at the test API server) shows what the metrics API reports
// for its pods in `tutti ps` and in `/metrics`, as it shows a local process's. The test server
// has no metrics-server: metrics-server.ts serves its API (a CRD) and writes the PodMetrics;
// the FakeNode, in this test process, plays the node and the deployment controller.

import { describe, expect, it } from 'vitest';
import { parsePromText } from '../../src/monitor/metrics/test-prom-text.js';
import { kubeProject } from './cli-project.js';
import { kubeEnv, SKIP } from './harness.js';
import { installMetricsApi, writePodMetrics } from './metrics-server.js';

const env = kubeEnv('tutti-metrics-up');
const MiB = 2 ** 20;

describe.skipIf(SKIP)(`pod metrics through the daemon${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  const k = kubeProject(env, 'name: gauged\nservices:\n  api:\n    image: registry.example/api:1\n    command: [api]\n    replicas: 2\n',
    () => installMetricsApi(env.kc, env.namespace));
  const tutti = k.tutti;

  it('shows each pod\'s CPU and memory in ps and its memory in /metrics', async () => {
    const up = await tutti('up', '--runtime', 'kubernetes', '--namespace', env.namespace);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const pods = (await env.core.listNamespacedPod({ namespace: env.namespace, labelSelector: 'app.kubernetes.io/name=api' })).items
      .filter((pod) => !pod.metadata?.deletionTimestamp)
      .sort((x, y) => x.metadata!.name!.localeCompare(y.metadata!.name!));
    expect(pods).toHaveLength(2);
    await writePodMetrics(env.kc, pods[0], { api: { cpu: '250m', memory: '64Mi' } });
    await writePodMetrics(env.kc, pods[1], { api: { cpu: '1', memory: '96Mi' } });
    const [a, b] = pods.map((pod) => pod.metadata!.name!);

    const ps = await tutti('ps', '--json');
    expect(ps.code, ps.stderr).toBe(0);
    const instances = (JSON.parse(ps.stdout) as { instances: Array<{ id: string; cpu?: number; memory?: number }> }).instances;
    expect(Object.fromEntries(instances.map((i) => [i.id, [i.cpu, i.memory]]))).toEqual({ [a]: [25, 64 * MiB], [b]: [100, 96 * MiB] });

    const res = await fetch(`${k.project.daemon().url}/metrics`, { headers: { authorization: `Bearer ${k.project.token()}` } });
    expect(res.status).toBe(200);
    const families = parsePromText(await res.text());
    const memory = families.get('tutti_instance_resident_memory_bytes')!.samples;
    // the CPU counter tutti builds from metrics-server's readings exists for each pod from the first one
    expect(families.get('tutti_instance_cpu_seconds_total')!.samples.map((s) => s.labels.instance).sort()).toEqual([a, b].sort());
    expect(Object.fromEntries(memory.map((s) => [`${s.labels.service}/${s.labels.instance}`, s.value]))).toEqual({ [`api/${a}`]: 64 * MiB, [`api/${b}`]: 96 * MiB });
  });
});
