// Log retention by age in the process runtime: what is past max_age goes when the runtime
// starts and on every later check; a running instance's current file stays.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProber } from '../src/registry/index.js';
import { createProcessRuntime, type Runtime } from '../src/runtime/index.js';
import { MemoryInstanceStore } from './fixtures/memory-store.js';
import { deployment, fixtureSpec } from './fixtures/service-spec.js';
import { collect, waitFor } from './fixtures/wait.js';

const DAY = 86_400_000;
let stateDir: string;
let runtime: Runtime | undefined;

function oldFile(rel: string, ageMs: number): string {
  const p = path.join(stateDir, 'logs', rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, `${new Date(Date.now() - ageMs).toISOString()} stdout old\n`);
  const at = (Date.now() - ageMs) / 1000;
  fs.utimesSync(p, at, at);
  return p;
}

afterEach(async () => {
  if (runtime) {
    for (const s of new Set(runtime.instances().map((i) => i.service))) await runtime.remove(s);
    await runtime.detach();
  }
  runtime = undefined;
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe('process runtime log retention', () => {
  it('deletes the logs of instances gone longer than the default 7 days when it starts', async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-retention-'));
    const gone = oldFile('old/old-1.log', 8 * DAY);
    oldFile('old/old-1.log.1', 9 * DAY);
    const recent = oldFile('web/web-1.log', 6 * DAY);
    const rotated = oldFile('web/web-1.log.1', 8 * DAY);
    runtime = await createProcessRuntime({ stateDir, prober: createProber(), store: new MemoryInstanceStore() });
    expect(fs.existsSync(gone)).toBe(false);
    expect(fs.existsSync(path.dirname(gone))).toBe(false);
    expect(fs.existsSync(recent)).toBe(true);
    expect(fs.existsSync(rotated)).toBe(false);
  });

  it('applies the service max_age on its periodic checks and keeps a running instance\'s current file', async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-retention-'));
    runtime = await createProcessRuntime({ stateDir, prober: createProber(), store: new MemoryInstanceStore(), logRetentionIntervalMs: 50 });
    const spec = fixtureSpec('printer', 'print-lines', { env: { LINES: '3' }, logs: { maxBytes: 1 << 20, maxFiles: 5, maxAgeMs: DAY } });
    await collect(runtime.apply(deployment(spec), AbortSignal.timeout(30_000)));
    const [instance] = runtime.instances('printer');
    const current = path.join(stateDir, 'logs', 'printer', `${instance.id}.log`);
    await waitFor(() => fs.existsSync(current), { message: 'the instance to write its log' });
    // files as a long-running instance would have them: the current one quiet for days
    const old = (Date.now() - 3 * DAY) / 1000;
    fs.utimesSync(current, old, old);
    const young = oldFile(`printer/${instance.id}.log.1`, DAY / 2);
    const rotated = oldFile(`printer/${instance.id}.log.2`, 2 * DAY); // past this service's 1 day, not the default 7
    await waitFor(() => !fs.existsSync(rotated), { message: 'the rotated file past max_age to be deleted' });
    expect(fs.existsSync(current)).toBe(true);
    expect(fs.existsSync(young)).toBe(true);
  });
});
