// The process driver: what only local processes have —
// process groups, stop escalation, adoption by a new daemon, log files and rotation.

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProber } from '../src/registry/index.js';
import { createProcessRuntime, type Runtime } from '../src/runtime/index.js';
import { freePort } from './fixtures/free-port.js';
import { httpGet } from './fixtures/http-get.js';
import { MemoryInstanceStore } from './fixtures/memory-store.js';
import { deployment, fixtureSpec } from './fixtures/service-spec.js';
import { collect, pidAlive, waitFor } from './fixtures/wait.js';

interface Env {
  stateDir: string;
  store: MemoryInstanceStore;
  runtimes: Runtime[];
  open(): Promise<Runtime>;
}

const envs: Env[] = [];

function newEnv(): Env {
  const env: Env = {
    stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-process-')),
    store: new MemoryInstanceStore(),
    runtimes: [],
    async open() {
      const runtime = await createProcessRuntime({ stateDir: env.stateDir, prober: createProber(), store: env.store });
      env.runtimes.push(runtime);
      return runtime;
    },
  };
  envs.push(env);
  return env;
}

/** Stops everything a test started, through a fresh runtime that adopts whatever is left. */
async function dispose(env: Env): Promise<void> {
  for (const r of env.runtimes) await r.detach();
  const last = await createProcessRuntime({ stateDir: env.stateDir, prober: createProber(), store: env.store });
  for (const service of new Set(last.instances().map((i) => i.service))) await last.remove(service);
  await last.detach();
  fs.rmSync(env.stateDir, { recursive: true, force: true });
}

afterEach(async () => {
  for (const env of envs.splice(0)) await dispose(env);
});

const signal = () => AbortSignal.timeout(60_000);

// The shared Runtime contract runs against this driver in src/runtime/process/contract.test.ts.

describe('process runtime', () => {
  it('gives a restarted instance a new port when something took its allocated one meanwhile', async () => {
    const runtime = await newEnv().open();
    const spec = fixtureSpec('squatted', 'exit-with', { env: { EXIT_CODE: '1', EXIT_AFTER_MS: '50' } });
    const squatter = net.createServer();
    let stolen: number | undefined;
    runtime.observe((e) => {
      // bind the port the moment the instance exits, before its (immediate) restart
      if (e.change === 'exited' && stolen === undefined && e.instance.service === 'squatted') {
        stolen = e.instance.port;
        squatter.listen(stolen, '127.0.0.1');
      }
    });
    try {
      void collect(runtime.apply(deployment(spec), signal()));
      const moved = await waitFor(() => runtime.instances('squatted').find((i) => stolen !== undefined && i.restarts >= 1 && i.pid !== undefined && i), { message: 'a restart' });
      expect(squatter.listening).toBe(true);
      expect(moved.port).not.toBe(stolen);
    } finally {
      squatter.close();
      await runtime.remove('squatted');
    }
  });

  it('removes a service together with the grandchildren it started', async () => {
    const runtime = await newEnv().open();
    await collect(runtime.apply(deployment(fixtureSpec('parent', 'spawn-child')), signal()));
    const [info] = runtime.instances('parent');
    const line = await waitFor(async () => (await runtime.lastLines(info.id, 5)).find((l) => l.startsWith('child ')));
    const grandchild = Number(line.split(' ')[1]);
    expect(pidAlive(info.pid!)).toBe(true);
    expect(pidAlive(grandchild)).toBe(true);
    await runtime.remove('parent');
    expect(pidAlive(info.pid!)).toBe(false);
    expect(pidAlive(grandchild)).toBe(false);
  });

  it('kills what a crashed process left in its group before it restarts', async () => {
    const runtime = await newEnv().open();
    const spec = fixtureSpec('leaky', 'spawn-child', { restart: 'never', env: { EXIT_AFTER_MS: '300' } });
    await collect(runtime.apply(deployment(spec), signal()));
    const failed = await waitFor(() => runtime.instances('leaky').find((i) => i.state === 'failed'), { message: 'the crash' });
    const [line] = await runtime.lastLines(failed.id, 1);
    const grandchild = Number(line.split(' ')[1]);
    expect(grandchild).toBeGreaterThan(0);
    await waitFor(() => !pidAlive(grandchild), { message: 'the grandchild to be killed' });
  });

  it('kills a process that ignores the stop signal once the grace period is over', async () => {
    const runtime = await newEnv().open();
    await collect(runtime.apply(deployment(fixtureSpec('stubborn', 'ignore-sigterm', { stopGraceMs: 500 })), signal()));
    const [info] = runtime.instances('stubborn');
    await waitFor(async () => (await runtime.lastLines(info.id, 5)).includes('ready'), { message: 'its SIGTERM handler' });
    const exits: Array<string | undefined> = [];
    runtime.observe((e) => e.change === 'exited' && exits.push(e.instance.message));
    const started = Date.now();
    await runtime.remove('stubborn');
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(pidAlive(info.pid!)).toBe(false);
    expect(exits.at(-1)).toMatch(/killed with SIGKILL after 500ms/);
    expect(await runtime.lastLines(info.id, 5)).toContain('ignoring SIGTERM');
  });

  it('reports a command that does not exist as failed, without restarting it', async () => {
    const runtime = await newEnv().open();
    const spec = { ...fixtureSpec('ghost', 'http-server'), command: ['tutti-no-such-command-xyz', '--flag'] };
    const states: string[] = [];
    runtime.observe((e) => states.push(e.instance.state));
    const progress = await collect(runtime.apply(deployment(spec), signal()));
    const last = progress.at(-1)!;
    expect(last.phase).toBe('failed');
    expect(last.message).toBe('ghost-1 failed: command not found: tutti-no-such-command-xyz');
    expect(states).toContain('failed');
    expect(states).not.toContain('backoff');
    // kept, so `tutti ps` shows why; nothing runs, and the next apply replaces it
    expect(runtime.instances('ghost').map((i) => [i.state, i.pid])).toEqual([['failed', undefined]]);
  });

  it('marks an instance unhealthy when its check fails, without restarting it', async () => {
    const env = newEnv();
    const runtime = await env.open();
    const flag = path.join(env.stateDir, 'healthy');
    fs.writeFileSync(flag, '');
    const health = {
      exec: [process.execPath, '-e', 'process.exit(require("fs").existsSync(process.env.FLAG) ? 0 : 1)'],
      intervalMs: 100, timeoutMs: 5000, healthyAfter: 1, unhealthyAfter: 2, startPeriodMs: 0,
    };
    const spec = fixtureSpec('checked', 'print-lines', { health, env: { FLAG: flag } });
    expect((await collect(runtime.apply(deployment(spec), signal()))).at(-1)?.phase).toBe('done');
    const [ready] = runtime.instances('checked');
    expect([ready.state, ready.health]).toEqual(['running', 'passing']);
    fs.rmSync(flag);
    const sick = await waitFor(() => runtime.instances('checked').find((i) => i.state === 'unhealthy'), { message: 'unhealthy' });
    expect([sick.ready, sick.health, sick.pid, sick.restarts]).toEqual([false, 'failing', ready.pid, 0]);
    expect(sick.message).toMatch(/health check failing: node exited with code 1/);
    fs.writeFileSync(flag, '');
    await waitFor(() => runtime.instances('checked').find((i) => i.ready && i.state === 'running'), { message: 'healthy again' });
  });

  it('follows the restart policy for exits: completed, failed', async () => {
    const runtime = await newEnv().open();
    const oneShot = fixtureSpec('migrate', 'exit-with', { restart: 'on-failure', env: { EXIT_CODE: '0' } });
    const strict = fixtureSpec('strict', 'exit-with', { restart: 'never', env: { EXIT_CODE: '2' } });
    await Promise.all([collect(runtime.apply(deployment(oneShot), signal())), collect(runtime.apply(deployment(strict), signal()))]);
    const done = await waitFor(() => runtime.instances('migrate').find((i) => i.state === 'completed'), { message: 'completed' });
    expect([done.lastExit?.code, done.restarts]).toEqual([0, 0]);
    const failed = await waitFor(() => runtime.instances('strict').find((i) => i.state === 'failed'), { message: 'failed' });
    expect([failed.lastExit?.code, failed.restarts, failed.message]).toEqual([2, 0, 'exited with code 2']);
    // applying again replaces the failed instance and leaves the completed one alone
    // (it exits at once again, so this rollout fails too: an instance without a health check
    // must stay up a moment to count as ready)
    const again = await collect(runtime.apply(deployment(strict), signal()));
    expect(again.map((p) => p.phase)).toEqual(['stopping', 'starting', 'failed']);
    expect(runtime.instances('strict').map((i) => [i.id, i.state])).toEqual([['strict-2', 'failed']]);
    expect((await collect(runtime.apply(deployment(oneShot), signal()))).map((p) => p.phase)).toEqual(['unchanged', 'done']);
  });

  it('gives up on a rollout when its signal aborts, keeping nothing half-started', async () => {
    const runtime = await newEnv().open();
    const spec = fixtureSpec('slow', 'http-server', { env: { HEALTH_STATUS: '503' } });
    const abort = new AbortController();
    const seen: string[] = [];
    const started = Date.now();
    for await (const p of runtime.apply(deployment(spec), abort.signal)) {
      seen.push(p.phase);
      if (p.phase === 'starting') abort.abort();
      if (p.phase === 'failed') expect(p.message).toBe('aborted while waiting for slow-1 to become ready');
    }
    expect(seen).toEqual(['starting', 'failed']);
    expect(Date.now() - started).toBeLessThan(spec.readyTimeoutMs);
    expect(runtime.instances('slow')).toEqual([]);
  });

  it('replaces an instance on a fixed port in place, and brings the old revision back if the new one fails', async () => {
    const runtime = await newEnv().open();
    const port = await freePort();
    const v1 = fixtureSpec('fixed', 'http-server', { port, env: { VERSION: 'one' } });
    await collect(runtime.apply(deployment(v1), signal()));
    const v2 = { ...v1, env: { VERSION: 'two' }, revision: 'r2' };
    expect((await collect(runtime.apply(deployment(v2), signal()))).at(-1)?.phase).toBe('done');
    expect(JSON.parse((await httpGet(port)).body).version).toBe('two');

    const bad = { ...v1, env: { VERSION: 'three', HEALTH_STATUS: '500' }, revision: 'r3', readyTimeoutMs: 1000 };
    const progress = await collect(runtime.apply(deployment(bad), signal()));
    expect(progress.at(-1)).toMatchObject({ phase: 'failed', message: expect.stringMatching(/returned 500/) });
    const [back] = runtime.instances('fixed');
    expect([back.revision, back.ready, back.port]).toEqual(['r2', true, port]);
    expect(JSON.parse((await httpGet(port)).body).version).toBe('two');
  });

  it('is adopted by a new runtime: same pids, no restart, output still captured', async () => {
    const env = newEnv();
    const a = await env.open();
    await collect(a.apply(deployment(fixtureSpec('web', 'http-server'), 2), signal()));
    const before = a.instances('web');
    await a.detach();
    expect(before.every((i) => pidAlive(i.pid!))).toBe(true);

    const b = await env.open();
    const after = b.instances('web');
    expect(after.map((i) => [i.id, i.pid, i.port, i.restarts, i.ready])).toEqual(before.map((i) => [i.id, i.pid, i.port, 0, true]));
    const unchanged = await collect(b.apply(deployment(fixtureSpec('web', 'http-server'), 2), signal()));
    expect(unchanged.map((p) => p.phase)).toEqual(['unchanged', 'done']);

    await httpGet(after[0].port, '/after-adoption');
    await waitFor(async () => (await b.lastLines(after[0].id, 5)).includes('GET /after-adoption'), { message: 'the adopted output' });
    const stats = await b.stats();
    expect(stats[after[0].id].memory).toBeGreaterThan(1024 * 1024);
    expect(stats[after[0].id].cpu).toBeGreaterThanOrEqual(0);
  });

  it('restarts an instance that died while no runtime was running, with the same id', async () => {
    const env = newEnv();
    const a = await env.open();
    await collect(a.apply(deployment(fixtureSpec('web', 'http-server')), signal()));
    const [before] = a.instances('web');
    await a.detach();
    process.kill(before.pid!, 'SIGKILL');
    await waitFor(() => !pidAlive(before.pid!), { message: 'the instance to die' });

    const b = await env.open();
    const after = await waitFor(() => b.instances('web').find((i) => i.ready && i.pid !== before.pid), { message: 'the restart' });
    // The port is kept unless something took it while the instance was down: an allocated
    // port lies in the ephemeral range, so under load an outgoing connection may have been
    // given it as its source port (then the instance gets another; see the 'squatted' test).
    expect([after.id, after.restarts]).toEqual([before.id, 1]);
    expect(after.lastExit?.code).toBeNull();
    expect((await httpGet(after.port)).status).toBe(200);
  });

  it('watches an adopted process and restarts it when it dies', async () => {
    const env = newEnv();
    const a = await env.open();
    await collect(a.apply(deployment(fixtureSpec('web', 'http-server')), signal()));
    await a.detach();
    const b = await env.open();
    const [adopted] = b.instances('web');
    process.kill(adopted.pid!, 'SIGKILL');
    const after = await waitFor(() => b.instances('web').find((i) => i.ready && i.pid !== adopted.pid), { message: 'the restart' });
    expect([after.id, after.restarts]).toEqual([adopted.id, 1]);
  });

  it('rotates log files by size and keeps at most maxFiles of them', async () => {
    const env = newEnv();
    const runtime = await env.open();
    const spec = fixtureSpec('chatty', 'print-lines', { env: { LINES: '400', LINE_PAD: '60' }, logs: { maxBytes: 4096, maxFiles: 2 } });
    await collect(runtime.apply(deployment(spec), signal()));
    const dir = path.join(env.stateDir, 'logs', 'chatty');
    await waitFor(async () => {
      const last = await runtime.lastLines('chatty-1', 2);
      return last.includes('done') && last.some((l) => l.startsWith('line 400 '));
    }, { message: 'all lines written' });
    const files = fs.readdirSync(dir).sort();
    expect(files).toEqual(['chatty-1.log', 'chatty-1.log.1', 'chatty-1.log.2']);
    for (const f of files) expect(fs.statSync(path.join(dir, f)).size).toBeLessThan(4096 + 16 * 1024);
    const kept = await collect(runtime.logs({ instances: ['chatty-1'] }, signal()));
    expect(kept.length).toBeLessThan(400);                // the oldest lines are gone
    expect(kept.some((l) => l.text.startsWith('line 400 '))).toBe(true);
  });

  it('keeps instance numbers growing across runtimes', async () => {
    const env = newEnv();
    const a = await env.open();
    await collect(a.apply(deployment(fixtureSpec('web', 'http-server')), signal()));
    await a.remove('web');
    await a.detach();
    const b = await env.open();
    await collect(b.apply(deployment(fixtureSpec('web', 'http-server')), signal()));
    expect(b.instances('web').map((i) => i.id)).toEqual(['web-2']);
    expect(fs.readdirSync(path.join(env.stateDir, 'run')).filter((f) => f.startsWith('web-1'))).toEqual([]);
  });
});
