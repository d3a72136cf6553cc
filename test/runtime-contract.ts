// The Runtime contract suite: behaviour a user notices, run by every driver (process,
// kubernetes). A driver that cannot pass a case skips it by name and says why, as Hono's
// router tests do: `runRuntimeContract({ name, create, skip: { logs: 'reason' } })`.

import { describe, expect, it } from 'vitest';
import type { InstanceInfo } from '../src/core/index.js';
import type { InstanceEvent, Progress, Runtime } from '../src/runtime/index.js';
import { httpGet } from './fixtures/http-get.js';
import { deployment, fixtureSpec } from './fixtures/service-spec.js';
import { collect, waitFor } from './fixtures/wait.js';

export type ContractCase =
  | 'start' | 'unchanged' | 'rolling-update' | 'restart' | 'scale' | 'remove' | 'crash-loop' | 'logs' | 'failed-rollout';

export interface RuntimeContractOptions {
  /** the driver's name, shown in the suite's title */
  name?: string;
  create(): Promise<{ runtime: Runtime; cleanup(): Promise<void> }>;
  /** cases this driver skips, each with the reason */
  skip?: Partial<Record<ContractCase, string>>;
}

const phases = (progress: Progress[]) => progress.map((p) => p.phase);
const count = (progress: Progress[], phase: Progress['phase']) => progress.filter((p) => p.phase === phase).length;
const signal = () => AbortSignal.timeout(60_000);

async function answer(info: InstanceInfo): Promise<{ instance: string; version: string }> {
  const res = await httpGet(info.port, '/', info.address);
  expect(res.status).toBe(200);
  return JSON.parse(res.body) as { instance: string; version: string };
}

/** Counts the ready instances of a service at every instance event, to catch any dip. */
function watchReady(runtime: Runtime, service: string): { min(): number; stop(): void } {
  let min = Infinity;
  const sample = () => (min = Math.min(min, runtime.instances(service).filter((i) => i.ready).length));
  const stop = runtime.observe(sample);
  return { min: () => min, stop };
}

export function runRuntimeContract(opts: RuntimeContractOptions): void {
  const test = (key: ContractCase, title: string, fn: (runtime: Runtime) => Promise<void>): void => {
    const reason = opts.skip?.[key];
    if (reason) {
      it.skip(`${title} (skipped: ${reason})`, () => {});
      return;
    }
    it(title, async () => {
      const { runtime, cleanup } = await opts.create();
      try {
        await fn(runtime);
      } finally {
        await cleanup();
      }
    });
  };

  describe(`runtime contract: ${opts.name ?? 'driver'}`, () => {
    test('start', 'apply starts the replicas in parallel and reports each one ready', async (runtime) => {
      const progress = await collect(runtime.apply(deployment(fixtureSpec('web', 'http-server'), 3), signal()));
      expect(count(progress, 'starting')).toBe(3);
      expect(count(progress, 'ready')).toBe(3);
      expect(phases(progress).at(-1)).toBe('done');
      const instances = runtime.instances('web');
      expect(instances.map((i) => i.id).sort()).toEqual(['web-1', 'web-2', 'web-3']);
      expect(instances.every((i) => i.ready && i.state === 'running' && i.health === 'passing')).toBe(true);
      expect(new Set(instances.map((i) => i.port)).size).toBe(3);
      expect(instances.map((i) => i.slot).sort()).toEqual([0, 1, 2]);
      for (const info of instances) expect((await answer(info)).instance).toBe(info.id);
    });

    test('unchanged', 'applying the same deployment again changes nothing', async (runtime) => {
      const d = deployment(fixtureSpec('web', 'http-server'), 2);
      await collect(runtime.apply(d, signal()));
      const before = runtime.instances('web');
      const progress = await collect(runtime.apply(d, signal()));
      expect(phases(progress)).toEqual(['unchanged', 'done']);
      expect(runtime.instances('web')).toEqual(before);
    });

    test('rolling-update', 'a new revision rolls out without the ready count dropping', async (runtime) => {
      const v1 = fixtureSpec('web', 'http-server', { env: { VERSION: 'one' } });
      await collect(runtime.apply(deployment(v1, 2), signal()));
      const old = runtime.instances('web').map((i) => i.id);
      const ready = watchReady(runtime, 'web');
      const progress = await collect(runtime.apply(deployment({ ...v1, env: { VERSION: 'two' }, revision: 'r2' }, 2), signal()));
      ready.stop();
      expect(phases(progress).at(-1)).toBe('done');
      expect(count(progress, 'stopping')).toBe(2);
      expect(ready.min()).toBeGreaterThanOrEqual(2);
      const now = runtime.instances('web');
      expect(now).toHaveLength(2);
      expect(now.every((i) => i.revision === 'r2' && i.ready && !old.includes(i.id))).toBe(true);
      for (const info of now) expect((await answer(info)).version).toBe('two');
    });

    test('restart', 'restart replaces every instance, health-gated, without the ready count dropping', async (runtime) => {
      await collect(runtime.apply(deployment(fixtureSpec('web', 'http-server'), 2), signal()));
      const old = runtime.instances('web').map((i) => i.id);
      const ready = watchReady(runtime, 'web');
      const progress = await collect(runtime.restart('web', signal()));
      ready.stop();
      expect(phases(progress).at(-1)).toBe('done');
      expect(ready.min()).toBeGreaterThanOrEqual(2);
      const now = runtime.instances('web');
      expect(now).toHaveLength(2);
      expect(now.some((i) => old.includes(i.id))).toBe(false);
      expect(now.every((i) => i.ready)).toBe(true);
    });

    test('scale', 'scaling down stops the highest slots; scaling up adds instances with new ids', async (runtime) => {
      const spec = fixtureSpec('web', 'http-server');
      await collect(runtime.apply(deployment(spec, 3), signal()));
      const down = await collect(runtime.apply(deployment(spec, 1), signal()));
      expect(count(down, 'stopping')).toBe(2);
      expect(runtime.instances('web').map((i) => [i.id, i.slot])).toEqual([['web-1', 0]]);
      const up = await collect(runtime.apply(deployment(spec, 2), signal()));
      expect(phases(up).at(-1)).toBe('done');
      const ids = runtime.instances('web').map((i) => i.id);
      expect(ids).toEqual(['web-1', 'web-4']); // numbers are never reused
      expect(runtime.instances('web').every((i) => i.ready)).toBe(true);
    });

    test('remove', 'remove stops every instance and forgets it', async (runtime) => {
      await collect(runtime.apply(deployment(fixtureSpec('web', 'http-server'), 2), signal()));
      const removed: string[] = [];
      runtime.observe((e: InstanceEvent) => e.change === 'removed' && removed.push(e.instance.id));
      const before = runtime.instances('web');
      await runtime.remove('web');
      expect(runtime.instances('web')).toEqual([]);
      expect(removed.sort()).toEqual(before.map((i) => i.id).sort());
      for (const info of before) await expect(httpGet(info.port, '/', info.address)).rejects.toThrow(/ECONNREFUSED/);
    });

    test('crash-loop', 'a crashing instance is restarted at once, then with backoff, and reported crash-looping', async (runtime) => {
      const events: Array<{ change: string; at: number }> = [];
      runtime.observe((e) => events.push({ change: e.change, at: Date.now() }));
      const spec = fixtureSpec('crasher', 'exit-with', {
        env: { EXIT_CODE: '3', EXIT_AFTER_MS: '100' },
        backoff: { initialMs: 1000, factor: 2, maxMs: 5000, resetAfterMs: 30_000 },
      });
      await collect(runtime.apply(deployment(spec, 1), signal()));
      const looping = await waitFor(() => runtime.instances('crasher').find((i) => i.state === 'crash-looping'), {
        timeout: 20_000, message: 'crasher to be crash-looping',
      });
      expect(looping.id).toBe('crasher-1');          // the same instance, restarted
      expect(looping.lastExit?.code).toBe(3);
      expect(looping.restarts).toBeGreaterThanOrEqual(2);
      expect(looping.message).toMatch(/exited with code 3/);
      const firstExit = events.findIndex((e) => e.change === 'exited');
      const nextStart = events.findIndex((e, i) => i > firstExit && e.change === 'started');
      expect(events[nextStart].at - events[firstExit].at).toBeLessThan(800); // first restart: no backoff
    });

    test('logs', 'logs keep the last lines merged in time order and follow new ones', async (runtime) => {
      await collect(runtime.apply(deployment(fixtureSpec('printer', 'print-lines', { env: { LINES: '50' } })), signal()));
      // stdout and stderr are read separately, so only the order within each stream is fixed
      const all = await waitFor(async () => {
        const lines = await collect(runtime.logs({ services: ['printer'] }, signal()));
        return lines.some((l) => l.text === 'line 50') && lines.some((l) => l.text === 'done') ? lines : undefined;
      }, { message: 'the printer to print its lines' });
      expect(all.filter((l) => l.stream === 'stdout').map((l) => l.text)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`));
      expect(all.filter((l) => l.stream === 'stderr').map((l) => l.text)).toEqual(['done']);
      expect(all.every((l) => l.service === 'printer' && l.instance === 'printer-1')).toBe(true);
      const tail = await collect(runtime.logs({ services: ['printer'], tail: 3 }, signal()));
      expect(tail).toEqual(all.slice(-3));

      await collect(runtime.apply(deployment(fixtureSpec('ticker', 'print-lines', { env: { TICK_MS: '50' } })), signal()));
      const follow = new AbortController();
      const seen: string[] = [];
      const started = Date.now();
      for await (const line of runtime.logs({ services: ['ticker'], tail: 1, follow: true }, follow.signal)) {
        if (line.text.startsWith('tick')) seen.push(line.text);
        if (seen.length >= 4) follow.abort();
        if (Date.now() - started > 20_000) throw new Error('no live lines');
      }
      const numbers = seen.map((t) => Number(t.split(' ')[1]));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      expect(new Set(numbers).size).toBe(numbers.length);
    });

    test('failed-rollout', 'a revision that never becomes healthy fails and leaves the old instance serving', async (runtime) => {
      const v1 = fixtureSpec('web', 'http-server', { env: { VERSION: 'one' } });
      await collect(runtime.apply(deployment(v1, 1), signal()));
      const [old] = runtime.instances('web');
      const bad = { ...v1, env: { VERSION: 'two', HEALTH_STATUS: '503' }, revision: 'r2', readyTimeoutMs: 1500 };
      const progress = await collect(runtime.apply(deployment(bad, 1), signal()));
      const failed = progress.at(-1)!;
      expect(failed.phase).toBe('failed');
      expect(failed.message).toMatch(/did not become ready within 1\.5s.*503/);
      expect(failed.logs?.some((l) => l.startsWith('listening on'))).toBe(true);
      const now = runtime.instances('web');
      expect(now.map((i) => [i.id, i.revision, i.ready])).toEqual([[old.id, 'r1', true]]);
      expect((await answer(now[0])).version).toBe('one');
    });
  });
}
