// End-to-end helpers: a throw-away project folder with its own manifest and services, the
// real `tutti` command run against it, and polling with a deadline (never a fixed sleep).

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(ROOT, 'bin', 'tutti.js');
export const SERVICES = path.join(ROOT, 'test', 'services');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(args: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: '1', CI: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tutti ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export { pidAlive as alive, waitFor } from '../fixtures/wait.js';
import { pidAlive as alive } from '../fixtures/wait.js';

export class Project {
  readonly dir: string;

  constructor(manifest: string, files: Record<string, string> = {}) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'tutti-e2e-'));
    this.write('tutti.yaml', manifest);
    for (const [name, text] of Object.entries(files)) this.write(name, text);
  }

  write(name: string, text: string): void {
    const file = path.join(this.dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }

  tutti(...args: string[]): Promise<RunResult> {
    return run(args, { cwd: this.dir });
  }

  /** `tutti <args> --json`, parsed; throws with the output when it fails. */
  async json<T = any>(...args: string[]): Promise<T> {
    const r = await run([...args, '--json'], { cwd: this.dir });
    if (r.code !== 0) throw new Error(`tutti ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  daemon(): { pid: number; url: string; port: number } {
    return JSON.parse(readFileSync(path.join(this.dir, '.tutti', 'daemon.json'), 'utf8'));
  }

  token(): string {
    return readFileSync(path.join(this.dir, '.tutti', 'token'), 'utf8').trim();
  }

  /** Stops the stack and its daemon whatever state the test left them in, then deletes the folder. */
  async cleanup(): Promise<void> {
    await this.tutti('down').catch(() => {});
    try {
      const pid = this.daemon().pid;
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // no daemon
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A `command:` line running one of test/services/*.mjs with this Node. */
export function nodeService(script: string, ...args: string[]): string {
  return JSON.stringify([process.execPath, path.join(SERVICES, script), ...args]);
}
