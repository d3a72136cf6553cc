// Pods as instances and their logs, against a real API server: instance events come from a
// watch of the pods (no polling), and logs from the pods log API, which the API server reads
// from the pod's kubelet — here the FakeNode, which plays the node and serves what its pods
// "wrote" over HTTPS, as a kubelet does.

import { afterEach, describe, expect, it } from 'vitest';
import type { InstanceEvent } from '../../src/runtime/index.js';
import { collect, waitFor } from '../fixtures/wait.js';
import { applied, deployment, kubeEnv, phases, SKIP, spec } from './harness.js';

const env = kubeEnv('tutti-pods');
const signal = () => AbortSignal.timeout(30_000);

afterEach(() => {
  if (!SKIP) env.node.behaviour = () => ({});
});

describe.skipIf(SKIP)(`kubernetes driver: instances and logs${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('tells observers about pods as they are created, get ready, fall ill, restart and go', async () => {
    const events: InstanceEvent[] = [];
    const stop = env.runtime.observe((e) => e.instance.service === 'watched' && events.push(e));
    await applied(env.runtime, deployment(spec('watched', { health: { http: '/healthz', intervalMs: 1000, timeoutMs: 1000, healthyAfter: 1, unhealthyAfter: 3, startPeriodMs: 0 } })));
    const [pod] = env.runtime.instances('watched');
    expect(events.map((e) => e.change)).toEqual(expect.arrayContaining(['created', 'ready']));
    expect([pod.state, pod.health, pod.ready]).toEqual(['running', 'passing', true]);

    // the kubelet's probe starts failing: the pod stays, not ready
    env.node.behaviour = () => ({ ready: false });
    await env.node.rerun(pod.id);
    const sick = await waitFor(() => env.runtime.instances('watched').find((i) => i.state === 'unhealthy'), { message: 'an unhealthy pod' });
    expect([sick.id, sick.health, sick.ready]).toEqual([pod.id, 'failing', false]);
    expect(events.at(-1)?.change).toBe('unready');

    // its container crashes and is restarted
    env.node.behaviour = () => ({ restarts: 1, lastExit: { exitCode: 137, reason: 'OOMKilled' } });
    await env.node.rerun(pod.id);
    const back = await waitFor(() => env.runtime.instances('watched').find((i) => i.restarts === 1 && i.ready), { message: 'a restarted pod' });
    expect(back.lastExit?.code).toBe(137);
    expect(events.map((e) => e.change)).toContain('restarting');

    await env.runtime.remove('watched');
    stop();
    expect(events.at(-1)).toMatchObject({ change: 'removed', instance: { id: pod.id } });
  });

  it('reads logs through the pods log API, merged across pods in time order, with tail and grep', async () => {
    let n = 0;
    env.node.behaviour = () => {
      const me = ++n;
      return { logs: [...Array.from({ length: 5 }, (_, i) => `pod${me} line ${i + 1}`), `{"level":50,"msg":"pod${me} failed to warm the cache"}`] };
    };
    expect(phases(await applied(env.runtime, deployment(spec('printer', { replicas: 2 })))).at(-1)).toBe('done');
    const pods = env.runtime.instances('printer').map((i) => i.id);
    const all = await collect(env.runtime.logs({ services: ['printer'] }, signal()));
    expect(all).toHaveLength(12);
    expect(new Set(all.map((l) => l.instance))).toEqual(new Set(pods));
    expect(all.map((l) => l.time)).toEqual([...all.map((l) => l.time)].sort((a, b) => a - b));
    for (const pod of pods) {
      const own = all.filter((l) => l.instance === pod).map((l) => l.text.replace(/^pod\d /, '').replace(/pod\d /, ''));
      expect(own.slice(0, 5)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    }
    expect(all.every((l) => l.service === 'printer' && l.stream === 'stdout')).toBe(true);

    const tail = await collect(env.runtime.logs({ services: ['printer'], tail: 3 }, signal()));
    expect(tail).toEqual(all.slice(-3));
    const errors = await collect(env.runtime.logs({ services: ['printer'], level: 'error' }, signal()));
    expect(errors.map((l) => [l.level, l.message])).toEqual(expect.arrayContaining([['error', 'pod1 failed to warm the cache'], ['error', 'pod2 failed to warm the cache']]));
    const grep = await collect(env.runtime.logs({ instances: [pods[0]], grep: '/line [45]$/' }, signal()));
    expect(grep.map((l) => l.text.replace(/^pod\d /, ''))).toEqual(['line 4', 'line 5']);
    expect(await env.runtime.lastLines(pods[1], 2)).toEqual([expect.stringMatching(/line 5$/), expect.stringMatching(/failed to warm the cache/)]);
  });

  it('follows new lines live, and the pods a rollout starts', async () => {
    env.node.behaviour = () => ({ logs: ['hello'], tickMs: 50 });
    await applied(env.runtime, deployment(spec('ticker')));
    const follow = new AbortController();
    const seen: Array<{ instance: string; text: string }> = [];
    const started = Date.now();
    let rollout: Promise<unknown> | undefined;
    for await (const line of env.runtime.logs({ services: ['ticker'], tail: 1, follow: true }, follow.signal)) {
      seen.push({ instance: line.instance, text: line.text });
      if (!rollout && seen.filter((l) => l.text.startsWith('tick')).length >= 3) {
        rollout = applied(env.runtime, deployment(spec('ticker', { image: 'registry.example/ticker:2', revision: 'ticker-r2' })));
      }
      if (new Set(seen.map((l) => l.instance)).size >= 2 && seen.filter((l) => l.text === 'hello').length >= 1 && seen.at(-1)!.text.startsWith('tick')) follow.abort();
      if (Date.now() - started > 20_000) throw new Error(`no live lines from the new pod: ${JSON.stringify(seen)}`);
    }
    expect(phases((await rollout) as Awaited<ReturnType<typeof applied>>).at(-1)).toBe('done');
    const first = seen.filter((l) => l.instance === seen[0].instance).map((l) => l.text).filter((t) => t.startsWith('tick'));
    const numbers = first.map((t) => Number(t.split(' ')[1]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
    const second = seen.find((l) => l.instance !== seen[0].instance)!;
    expect(second.text).toBe('hello'); // the new pod is followed from its first line
  });
});
