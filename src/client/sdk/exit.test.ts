// Deregistration when a registered process ends, in real child processes: a SIGTERM still
// kills the process (the signal's default is not swallowed) after the instance is removed; a
// process whose work is done exits by itself (heartbeats and watches do not hold it) and
// deregisters on the way out. The child is the SDK bundled with esbuild, as a user's program.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../registry/index.js';
import type { Registry } from '../../registry/types.js';
import { openSqliteStore, type Store } from '../../store/index.js';
import { createTestApp, TOKENS, waitFor, type TestApp } from '../../server/test-app.js';

const SDK = fileURLToPath(new URL('../index.ts', import.meta.url));
let dir: string;
let store: Store;
let registry: Registry;
let t: TestApp;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tutti-sdk-exit-'));
  store = await openSqliteStore(join(dir, 'state.db'));
  registry = await createRegistry({ store: store.registry, meta: store.meta });
  t = await createTestApp({ listen: true, registry });
});

// a child that outlived its test (the test failed) must not outlive the run
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

afterAll(async () => {
  await t?.close();
  await registry?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Bundles a program using the SDK and starts it; resolves its stdout lines as they come. */
async function program(name: string, body: string) {
  const entry = join(dir, `${name}.ts`);
  const out = join(dir, `${name}.mjs`);
  writeFileSync(entry, `import { register, resolve } from ${JSON.stringify(SDK)};\n${body}\n`);
  await build({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', format: 'esm', logLevel: 'silent' });
  const child = spawn(process.execPath, [out], {
    env: { ...process.env, TUTTI_URL: t.url, TUTTI_TOKEN: TOKENS.operator },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  let timer: NodeJS.Timeout | undefined;
  const exited = Promise.race([
    exit,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${name} did not exit within 10s`)), 10_000))),
  ]).finally(() => clearTimeout(timer));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

describe('deregistration on exit', () => {
  it('deregisters on SIGTERM and still dies of the signal', async () => {
    const p = await program(
      'term',
      `const reg = await register({ service: 'exiter', port: 9001, ttl: '1m' });
       process.stdout.write(reg.id + '\\n');
       setInterval(() => {}, 1000); // a server's work keeps it up`,
    );
    await waitFor(() => p.stdout().includes('\n'), 'the child to register', 10_000);
    const id = p.stdout().trim();
    expect(registry.get(id)).toMatchObject({ service: 'exiter' });
    p.child.kill('SIGTERM');
    const { code, signal } = await p.exited;
    expect({ code, signal, stderr: p.stderr() }).toEqual({ code: null, signal: 'SIGTERM', stderr: '' });
    expect(registry.get(id)).toBeUndefined();
  });

  it('leaves the exit to a SIGTERM handler of the program itself', async () => {
    const p = await program(
      'own-handler',
      `const reg = await register({ service: 'exiter', port: 9002, ttl: '1m' });
       process.on('SIGTERM', () => setTimeout(() => process.exit(7), 200));
       process.stdout.write(reg.id + '\\n');
       setInterval(() => {}, 1000);`,
    );
    await waitFor(() => p.stdout().includes('\n'), 'the child to register', 10_000);
    const id = p.stdout().trim();
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(7);
    expect(registry.get(id)).toBeUndefined();
  });

  it('does not keep a finished process alive, and deregisters it on the way out', async () => {
    await registry.register({ service: 'peer', address: '127.0.0.1', port: 9100 });
    const p = await program(
      'done',
      `const reg = await register({ service: 'exiter', port: 9003, ttl: '300ms' });
       const peers = await resolve('peer');
       process.stdout.write(reg.id + ' ' + peers.length + '\\n');`,
    );
    const { code } = await p.exited;
    expect(code).toBe(0);
    const [id, peers] = p.stdout().trim().split(' ');
    expect(peers).toBe('1');
    expect(registry.get(id)).toBeUndefined();
  });
});
