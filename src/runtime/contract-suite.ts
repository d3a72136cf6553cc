// The shared Runtime contract suite: behaviour a user notices, run by every driver (process,
// kubernetes) through the contract alone — apply, re-apply, rolling update, restart, scale,
// remove, a failed rollout, a crash loop, logs. A driver skips a case only by name and with
// its reason (`runRuntimeContract({ name, create, fixtures, skip: { logs: 'why' } })`), as
// Hono's router suite does. What runs is the driver's business: `fixtures` builds the specs of
// three test services (a server, a crasher, a printer) for it — local scripts for the process
// driver, images a test harness stands in for on Kubernetes — and `version` asks an instance
// which VERSION it runs.

import { describe, expect, it } from 'vitest';
import type { InstanceInfo, ServiceSpec } from '../core/index.js';
import type { Deployment, InstanceEvent, Progress, Runtime } from './contract.js';
import { waitFor } from '../core/test-wait.js';

export type ContractCase =
  | 'apply' | 'unchanged' | 'rolling-update' | 'restart' | 'scale' | 'remove' | 'failed-rollout' | 'crash-loop' | 'logs';

export interface ContractFixtures {
  /** serves HTTP on PORT; /healthz answers HEALTH_STATUS (default 200); reports VERSION */
  server(name: string, over?: Partial<ServiceSpec>): ServiceSpec;
  /** prints a line, then exits with EXIT_CODE (again and again, as restarted) */
  crasher(name: string, over?: Partial<ServiceSpec>): ServiceSpec;
  /** prints `line 1` … `line N` (LINES), then `done`; with TICK_MS, `tick <n>` at that interval */
  printer(name: string, over?: Partial<ServiceSpec>): ServiceSpec;
}

export interface RuntimeContractOptions {
  /** the driver's name, shown in the suite's title */
  name: string;
  create(): Promise<{ runtime: Runtime; cleanup(): Promise<void> }>;
  fixtures: ContractFixtures;
  /** the VERSION an instance runs with, as the instance itself tells */
  version(instance: InstanceInfo): Promise<string>;
  /** environment every deployment carries (the orchestrator's TUTTI_STACK, …) */
  env?: Record<string, string>;
  /** cases this driver skips, each with the reason */
  skip?: Partial<Record<ContractCase, string>>;
}

const phases = (progress: Progress[]) => progress.map((p) => p.phase);
const count = (progress: Progress[], phase: Progress['phase']) => progress.filter((p) => p.phase === phase).length;
const deadline = () => AbortSignal.timeout(60_000);

async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const until = <T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 20_000) =>
  waitFor(fn, { timeout: timeoutMs, message: what }) as Promise<T>;

/** The lowest ready count of a service seen at any instance event, to catch any dip. */
function watchReady(runtime: Runtime, service: string): { min(): number; stop(): void } {
  let min = Infinity;
  const stop = runtime.observe(() => (min = Math.min(min, runtime.instances(service).filter((i) => i.ready).length)));
  return { min: () => min, stop };
}

export function runRuntimeContract(opts: RuntimeContractOptions): void {
  const { fixtures: f } = opts;
  const deployment = (spec: ServiceSpec, replicas = spec.replicas): Deployment => ({ spec, replicas, env: { ...opts.env } });
  const apply = (runtime: Runtime, spec: ServiceSpec, replicas?: number) => drain(runtime.apply(deployment(spec, replicas), deadline()));

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

  describe(`runtime contract: ${opts.name}`, () => {
    test('apply', 'apply starts every replica, reports each one ready, and they serve the deployed version', async (runtime) => {
      const progress = await apply(runtime, f.server('web', { env: { VERSION: 'one' } }), 3);
      expect(count(progress, 'starting')).toBe(3);
      expect(count(progress, 'ready')).toBe(3);
      expect(phases(progress).at(-1)).toBe('done');
      const instances = runtime.instances('web');
      expect(instances).toHaveLength(3);
      expect(new Set(instances.map((i) => i.id)).size).toBe(3);
      expect(instances.map((i) => i.slot).sort()).toEqual([0, 1, 2]);
      expect(instances.every((i) => i.service === 'web' && i.ready && i.state === 'running' && i.health === 'passing')).toBe(true);
      for (const i of instances) expect(await opts.version(i)).toBe('one');
    });

    test('unchanged', 'applying the same deployment again changes nothing', async (runtime) => {
      const spec = f.server('web');
      await apply(runtime, spec, 2);
      const before = runtime.instances('web');
      expect(phases(await apply(runtime, spec, 2))).toEqual(['unchanged', 'done']);
      expect(runtime.instances('web')).toEqual(before);
    });

    test('rolling-update', 'a new revision replaces every instance without the ready count dropping', async (runtime) => {
      const v1 = f.server('web', { env: { VERSION: 'one' } });
      await apply(runtime, v1, 2);
      const old = runtime.instances('web').map((i) => i.id);
      const ready = watchReady(runtime, 'web');
      const progress = await apply(runtime, { ...v1, env: { VERSION: 'two' }, revision: 'r2' }, 2);
      ready.stop();
      expect(phases(progress).at(-1)).toBe('done');
      expect(count(progress, 'stopping')).toBe(2);
      expect(ready.min()).toBeGreaterThanOrEqual(2);
      const now = runtime.instances('web');
      expect(now).toHaveLength(2);
      expect(now.every((i) => i.revision === 'r2' && i.ready && !old.includes(i.id))).toBe(true);
      for (const i of now) expect(await opts.version(i)).toBe('two');
    });

    test('restart', 'restart replaces every instance, health-gated, without the ready count dropping', async (runtime) => {
      await apply(runtime, f.server('web'), 2);
      const old = runtime.instances('web').map((i) => i.id);
      const ready = watchReady(runtime, 'web');
      const progress = await drain(runtime.restart('web', deadline()));
      ready.stop();
      expect(phases(progress).at(-1)).toBe('done');
      expect(ready.min()).toBeGreaterThanOrEqual(2);
      const now = runtime.instances('web');
      expect(now).toHaveLength(2);
      expect(now.some((i) => old.includes(i.id))).toBe(false);
      expect(now.every((i) => i.ready)).toBe(true);
    });

    test('scale', 'scaling down stops surplus instances and keeps the rest; scaling up adds new ones', async (runtime) => {
      const spec = f.server('web');
      await apply(runtime, spec, 3);
      const three = runtime.instances('web').map((i) => i.id);
      const down = await apply(runtime, spec, 1);
      expect(count(down, 'stopping')).toBe(2);
      expect(phases(down).at(-1)).toBe('done');
      const [kept] = runtime.instances('web');
      expect(runtime.instances('web')).toHaveLength(1);
      expect(three).toContain(kept.id);
      const up = await apply(runtime, spec, 2);
      expect(phases(up).at(-1)).toBe('done');
      const now = runtime.instances('web');
      expect(now.map((i) => i.id)).toContain(kept.id);
      expect(now).toHaveLength(2);
      expect(now.every((i) => i.ready)).toBe(true);
    });

    test('remove', 'remove stops every instance, tells observers, and forgets them', async (runtime) => {
      await apply(runtime, f.server('web'), 2);
      const removed: string[] = [];
      runtime.observe((e: InstanceEvent) => e.change === 'removed' && removed.push(e.instance.id));
      const before = runtime.instances('web').map((i) => i.id);
      await runtime.remove('web');
      expect(runtime.instances('web')).toEqual([]);
      expect(removed.sort()).toEqual(before.sort());
    });

    test('failed-rollout', 'a revision that never becomes healthy fails with the reason, and the old instance keeps serving', async (runtime) => {
      const v1 = f.server('web', { env: { VERSION: 'one' } });
      await apply(runtime, v1, 1);
      const [old] = runtime.instances('web');
      const bad = { ...v1, env: { VERSION: 'two', HEALTH_STATUS: '503' }, revision: 'r2', readyTimeoutMs: 1500 };
      const failed = (await apply(runtime, bad, 1)).at(-1)!;
      expect(failed.phase).toBe('failed');
      expect(failed.message).toMatch(/did not become ready within 1\.5s.*503/);
      const now = runtime.instances('web');
      expect(now.map((i) => [i.id, i.revision, i.ready])).toEqual([[old.id, old.revision, true]]);
      expect(await opts.version(now[0])).toBe('one');
    });

    test('crash-loop', 'an instance that keeps crashing is reported crash-looping, with its exit code', async (runtime) => {
      const spec = f.crasher('crasher', { env: { EXIT_CODE: '3', EXIT_AFTER_MS: '100' } });
      await apply(runtime, spec, 1);
      const looping = await until(() => runtime.instances('crasher').find((i) => i.state === 'crash-looping'), 'a crash-looping instance');
      expect(looping.lastExit?.code).toBe(3);
      expect(looping.restarts).toBeGreaterThanOrEqual(1);
      expect(looping.message).toMatch(/code 3/);
    });

    test('logs', 'logs keep the lines in order, tail them, and follow new ones', async (runtime) => {
      await apply(runtime, f.printer('printer', { env: { LINES: '50' } }), 1);
      const lines = await until(async () => {
        const got = await drain(runtime.logs({ services: ['printer'] }, deadline()));
        return got.some((l) => l.text === 'done') ? got : undefined;
      }, 'the printer to print its lines');
      expect(lines.filter((l) => l.text.startsWith('line ')).map((l) => l.text)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`));
      expect(lines.map((l) => l.text)).toContain('done');
      expect(lines.every((l) => l.service === 'printer')).toBe(true);
      const tail = await drain(runtime.logs({ services: ['printer'], tail: 3 }, deadline()));
      expect(tail).toEqual(lines.slice(-3));

      await apply(runtime, f.printer('ticker', { env: { TICK_MS: '50' } }), 1);
      const follow = new AbortController();
      const ticks: number[] = [];
      const started = Date.now();
      for await (const line of runtime.logs({ services: ['ticker'], tail: 1, follow: true }, follow.signal)) {
        if (line.text.startsWith('tick ')) ticks.push(Number(line.text.split(' ')[1]));
        if (ticks.length >= 4) follow.abort();
        if (Date.now() - started > 20_000) throw new Error('no live lines');
      }
      expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
      expect(new Set(ticks).size).toBe(ticks.length);
    });
  });
}
