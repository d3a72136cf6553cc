import os from 'node:os';
import { describe, expect, it } from 'vitest';
import type { HealthSpec } from '../../core/index.js';
import { createProber } from './index.js';

const check = (exec: string[], timeoutMs = 2000): HealthSpec => ({
  exec, intervalMs: 1000, timeoutMs, healthyAfter: 1, unhealthyAfter: 3, startPeriodMs: 0,
});
const target = { address: '127.0.0.1', port: 0, cwd: os.tmpdir(), env: { ...process.env, PROBE_WORD: 'pong' } as Record<string, string> };
const node = process.execPath;

describe('exec probe', () => {
  it('is healthy on exit 0 and runs in the given cwd and env', async () => {
    const script = `if (process.cwd() !== ${JSON.stringify(os.tmpdir())} || process.env.PROBE_WORD !== 'pong') process.exit(1)`;
    expect(await createProber().probe(check([node, '-e', script]), target, AbortSignal.timeout(5000))).toEqual({ ok: true });
  });

  it('reports the exit code and the tail of the output', async () => {
    const script = `console.log('checking'); console.error('database unreachable'); process.exit(2)`;
    const result = await createProber().probe(check([node, '-e', script]), target, AbortSignal.timeout(5000));
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/exited with code 2: .*database unreachable/s);
  });

  it('kills a command that outlives the timeout', async () => {
    const script = `console.log('still going'); setInterval(() => {}, 1000)`;
    const started = Date.now();
    const result = await createProber().probe(check([node, '-e', script], 500), target, AbortSignal.timeout(5000));
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^timed out after 500ms/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('says when the command does not exist', async () => {
    const result = await createProber().probe(check(['no-such-probe-command-xyz']), target, AbortSignal.timeout(5000));
    expect(result).toEqual({ ok: false, message: 'command not found: no-such-probe-command-xyz' });
  });
});
