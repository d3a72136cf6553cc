// The registry commands end to end in-process: `main()` with --url and --token against the API
// app listening on a real port over a real registry (SQLite in a temp folder).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRegistry } from '../../registry/index.js';
import type { Registry } from '../../registry/types.js';
import { openSqliteStore, type Store } from '../../store/index.js';
import { createTestApp, TOKENS, type TestApp } from '../../server/test-app.js';
import { main } from '../main.js';

let dir: string;
let store: Store;
let registry: Registry;
let t: TestApp;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tutti-cli-registry-'));
  store = await openSqliteStore(join(dir, 'state.db'));
  registry = await createRegistry({ store: store.registry, meta: store.meta });
  t = await createTestApp({ listen: true, registry });
});

afterEach(async () => {
  await t.close();
  await registry.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = undefined;
});

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** Runs `tutti <args> --url … --token …` in-process; returns what it printed and its exit code. */
async function tutti(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await main(['node', 'tutti', ...args, '--url', t.url, '--token', TOKENS.operator]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { stdout: plain(stdout), stderr: plain(stderr), code };
}

describe('tutti register, services, instances, heartbeat, deregister', () => {
  it('registers an instance, lists it, heartbeats it and removes it', async () => {
    const reg = await tutti('register', 'payments', '--address', '10.0.0.7', '--port', '8080', '--id', 'pay-1', '--tag', 'eu', '--tag', 'v2', '--meta', 'version=2.3', '--ttl', '30s');
    expect(reg).toEqual({ stdout: 'pay-1\n', stderr: '', code: 0 });
    expect(registry.get('pay-1')).toMatchObject({ service: 'payments', address: '10.0.0.7', port: 8080, tags: ['eu', 'v2'], meta: { version: '2.3' }, check: { ttlMs: 30_000 } });

    const services = await tutti('services');
    expect(services.code).toBe(0);
    const row = services.stdout.split('\n').find((l) => l.startsWith('payments'));
    expect(row?.split(/\s{2,}/)).toEqual(['payments', '1', String(registry.services().find((s) => s.name === 'payments')!.passing), expect.any(String), expect.any(String), 'eu,v2', 'no']);

    await tutti('heartbeat', 'pay-1', '--status', 'warning', '--output', 'slow disk');
    const list = await tutti('instances', 'payments');
    expect(list.stdout.split('\n')[0].split(/\s{2,}/)).toEqual(['ID', 'ADDRESS', 'STATUS', 'SOURCE', 'TAGS', 'OUTPUT']);
    expect(list.stdout.split('\n')[1].split(/\s{2,}/)).toEqual(['pay-1', '10.0.0.7:8080', 'warning', 'external', 'eu,v2', 'slow disk']);

    const json = JSON.parse((await tutti('instances', 'payments', '--healthy', '--tag', 'eu', '--json')).stdout);
    expect(json.instances.map((i: { id: string }) => i.id)).toEqual(['pay-1']);
    expect(JSON.parse((await tutti('instances', 'payments', '--tag', 'us', '--json')).stdout).instances).toEqual([]);

    expect(await tutti('deregister', 'pay-1')).toMatchObject({ stdout: 'deregistered pay-1 (payments)\n', code: 0 });
    expect(registry.get('pay-1')).toBeUndefined();
  });

  it('shows the scores term by term under the weights', async () => {
    await tutti('register', 'payments', '--port', '8080', '--id', 'pay-1');
    t.orchestrator.instanceScores.payments = [
      {
        id: 'pay-1',
        terms: { latency: 1, success: 0.9, load: 0.5, health: 1 },
        weights: { latency: 0.45, success: 0.3, load: 0.15, health: 0.1 },
        score: 0.9,
        latencyEwmaMs: 3,
        successEwma: 0.9,
        inFlight: 1,
        requests: 10,
      },
    ];
    const r = await tutti('instances', 'payments', '--scores');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^weights: latency 0\.\d\d · success 0\.\d\d · load 0\.\d\d · health 0\.\d\d · strategy \S+$/);
    expect(lines[1].split(/\s{2,}/)).toEqual(['ID', 'ADDRESS', 'STATUS', 'LATENCY', 'SUCCESS', 'LOAD', 'HEALTH', 'SCORE', 'IN-FLIGHT', 'EJECTED']);
    expect(lines[2].split(/\s{2,}/)).toEqual(['pay-1', '127.0.0.1:8080', 'passing', '1.00 (3.0ms)', '0.90', '0.50', '1.00', '0.90', '1', '-']);
  });

  it('refuses bad flags naming the flag, and reports the server refusing', async () => {
    const noPort = await tutti('register', 'payments');
    expect(noPort.code).toBe(1);
    expect(noPort.stderr).toMatch(/error: --port is required/);
    expect(noPort.stderr).toMatch(/hint: /);
    const two = await tutti('register', 'payments', '--port', '80', '--ttl', '10s', '--tcp');
    expect(two.stderr).toMatch(/--tcp cannot be combined with --ttl/);
    const status = await tutti('heartbeat', 'pay-1', '--status', 'fine');
    expect(status.stderr).toMatch(/--status "fine" is not a check status/);
    expect(registry.services().some((s) => s.name === 'payments')).toBe(false);

    const unknown = await tutti('instances', 'nosuch');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/error: .*nosuch/);
    const gone = await tutti('deregister', 'nope-1');
    expect(gone.code).toBe(1);
    expect(gone.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
