// `resources.limits.memory` on the process runtime (PM2's max_memory_restart): an instance
// whose process group passes its limit is stopped and restarted by its restart policy, with
// the limit named in its message; one under its limit is left alone. Real processes: the
// fixture grow-memory.js allocates 8 MiB every 50 ms up to a cap.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../src/core/index.js';
import { testServiceSpec } from '../src/core/test-service-spec.js';
import { createProber } from '../src/registry/index.js';
import { createProcessRuntime, type InstanceEvent, type Runtime } from '../src/runtime/index.js';
import { MemoryInstanceStore } from './fixtures/memory-store.js';
import { deployment, fixturesDir } from './fixtures/service-spec.js';
import { collect, pidAlive, waitFor } from './fixtures/wait.js';

const MiB = 1024 * 1024;
const LIMIT = 96 * MiB;
const LIMIT_TEXT = /resident memory \d+ MiB passed the limit 96 MiB/;

interface Env {
  runtime: Runtime;
  events: InstanceEvent[];
  cleanup(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function open(reuse?: { stateDir: string; store: MemoryInstanceStore }): Promise<Env & { stateDir: string; store: MemoryInstanceStore }> {
  const stateDir = reuse?.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-memory-'));
  const store = reuse?.store ?? new MemoryInstanceStore();
  // samples every 100 ms rather than every 3 s, so the tests take seconds
  const runtime = await createProcessRuntime({ stateDir, prober: createProber(), store, memoryCheckIntervalMs: 100 });
  const events: InstanceEvent[] = [];
  runtime.observe((e) => events.push(e));
  const cleanup = async () => {
    for (const service of new Set(runtime.instances().map((i) => i.service))) await runtime.remove(service);
    await runtime.detach();
    fs.rmSync(stateDir, { recursive: true, force: true });
  };
  cleanups.push(cleanup);
  return { runtime, events, cleanup, stateDir, store };
}

function grower(name: string, capMb: number, over: Partial<ServiceSpec> = {}, env: Record<string, string> = {}): ServiceSpec {
  return testServiceSpec(name, {
    command: [process.execPath, path.join(fixturesDir, 'grow-memory.js')],
    cwd: fixturesDir,
    env: { GROW_CAP_MB: String(capMb), ...env },
    resources: { limits: { memoryBytes: LIMIT, cpuMillis: 250 }, requests: { memoryBytes: 32 * MiB } },
    health: { http: '/healthz', intervalMs: 100, timeoutMs: 1000, healthyAfter: 1, unhealthyAfter: 2, startPeriodMs: 0 },
    backoff: { initialMs: 200, factor: 2, maxMs: 2000, resetAfterMs: 30_000 },
    stopGraceMs: 3000,
    readyTimeoutMs: 15_000,
    revision: 'r1',
    ...over,
  });
}

const signal = () => AbortSignal.timeout(60_000);

describe('memory limit on the process runtime', () => {
  it('restarts an instance that passes its limit, says why, and leaves one under its limit alone', async () => {
    const { runtime, events } = await open();
    // the one under its limit first: once it holds its 24 MiB, every later sample sees it whole
    const calm = await collect(runtime.apply(deployment(grower('calm', 24)), signal()));
    expect(calm.at(-1)?.phase).toBe('done');
    await waitFor(async () => (await runtime.lastLines('calm-1', 5)).some((l) => l.includes('holding 24 MiB')), { message: 'calm holding its memory' });
    const calmPid = runtime.instances('calm')[0].pid!;

    // on-failure, and the fixture exits 0 on SIGTERM: passing the limit still counts as a failure
    void collect(runtime.apply(deployment(grower('leaky', 256, { restart: 'on-failure' })), signal()));
    const restarted = await waitFor(() => runtime.instances('leaky').find((i) => i.restarts >= 2 && i), { timeout: 30_000, message: 'leaky restarted twice' });
    expect(restarted.id).toBe('leaky-1'); // the same instance, restarted, as after a crash
    expect(restarted.lastExit?.code).toBe(0);
    expect(restarted.lastExit?.reason).toMatch(LIMIT_TEXT); // kept once it runs again, for `ps --json`

    const why = events.filter((e) => e.instance.id === 'leaky-1' && (e.change === 'exited' || e.change === 'restarting'));
    expect(why.find((e) => e.change === 'exited')?.detail).toMatch(LIMIT_TEXT);
    expect(why.find((e) => e.change === 'restarting')?.detail).toMatch(new RegExp(`${LIMIT_TEXT.source}; restarting`));
    // while it was being stopped it was out of the endpoint, and said why
    const stopping = events.find((e) => e.instance.id === 'leaky-1' && e.instance.state === 'stopping');
    expect(stopping?.instance.ready).toBe(false);
    expect(stopping?.instance.message).toMatch(new RegExp(`${LIMIT_TEXT.source}; stopping it`));

    // many samples later, the calm one runs on: same process, no restart
    const calmNow = runtime.instances('calm')[0];
    expect([calmNow.restarts, calmNow.pid, calmNow.state]).toEqual([0, calmPid, 'running']);
    expect(pidAlive(calmPid)).toBe(true);
  });

  it('keeps crash-looping an instance that passes its limit every time, with the limit in its message', async () => {
    const { runtime } = await open();
    void collect(runtime.apply(deployment(grower('leaky', 256)), signal()));
    const looping = await waitFor(() => runtime.instances('leaky').find((i) => i.state === 'crash-looping' && i), { timeout: 30_000, message: 'leaky crash-looping' });
    expect(looping.message).toMatch(new RegExp(`${LIMIT_TEXT.source} \\(\\d+ times in a row\\)`));
  });

  it('measures the whole process group: a child over the limit restarts the instance', async () => {
    // the leader (an idle HTTP server) stays far under 96 MiB: only its child grows
    const { runtime, events } = await open();
    void collect(runtime.apply(deployment(grower('forked', 256, {}, { GROW_IN_CHILD: '1' })), signal()));
    await waitFor(() => runtime.instances('forked').find((i) => i.restarts >= 1 && i), { timeout: 30_000, message: 'forked restarted' });
    expect(events.find((e) => e.instance.id === 'forked-1' && e.change === 'exited')?.detail).toMatch(LIMIT_TEXT);
  });

  it('rolls a service with a limit like any other: a changed limit (a new revision) replaces the instances', async () => {
    const { runtime, events } = await open();
    const first = await collect(runtime.apply(deployment(grower('web', 16, {}), 2), signal()));
    expect(first.at(-1)?.phase).toBe('done');
    const raised = grower('web', 16, { revision: 'r2', resources: { limits: { memoryBytes: 128 * MiB } } });
    const second = await collect(runtime.apply(deployment(raised, 2), signal()));
    expect(second.filter((p) => p.phase === 'stopping').map((p) => p.instance)).toEqual(['web-1', 'web-2']);
    expect(second.at(-1)?.phase).toBe('done');
    const now = runtime.instances('web');
    expect(now.map((i) => [i.id, i.revision, i.state, i.restarts])).toEqual([['web-3', 'r2', 'running', 0], ['web-4', 'r2', 'running', 0]]);
    // nothing was stopped for its memory along the way
    expect(events.some((e) => /passed the limit/.test(e.detail ?? ''))).toBe(false);
  });

  it('a daemon that takes over while an instance is being stopped over its limit finishes the stop and restarts it', async () => {
    // the fixture ignores SIGTERM, so the stop lasts its whole grace: the daemon leaves in between
    const first = await open();
    void collect(first.runtime.apply(deployment(grower('stuck', 256, { stopGraceMs: 1500 }, { IGNORE_SIGTERM: '1' })), signal()));
    const stopping = await waitFor(() => first.runtime.instances('stuck').find((i) => i.state === 'stopping' && i), { timeout: 30_000, message: 'stuck being stopped' });
    await first.runtime.detach();
    cleanups.splice(cleanups.indexOf(first.cleanup), 1);

    const second = await open({ stateDir: first.stateDir, store: first.store });
    const back = await waitFor(() => second.runtime.instances('stuck').find((i) => i.restarts >= 1 && i.pid !== undefined && i), { timeout: 30_000, message: 'stuck restarted by the next daemon' });
    expect(back.id).toBe('stuck-1');
    expect(back.pid).not.toBe(stopping.pid);
    expect(pidAlive(stopping.pid!)).toBe(false);
    expect(back.lastExit?.signal ?? null).toBeNull(); // a process that died unsupervised: no status known
  });

  it('leaves an instance failed after passing its limit under restart: never', async () => {
    const { runtime } = await open();
    void collect(runtime.apply(deployment(grower('once', 256, { restart: 'never' })), signal()));
    const failed = await waitFor(() => runtime.instances('once').find((i) => i.state === 'failed' && i), { timeout: 30_000, message: 'once failed' });
    expect(failed.message).toMatch(new RegExp(`^${LIMIT_TEXT.source}$`));
    expect(failed.restarts).toBe(0);
    expect(failed.pid).toBeUndefined();
  });
});
