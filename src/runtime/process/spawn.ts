// Starting one process of an instance: its own process group (detached), its stdout and
// stderr going to the instance's FIFOs (not to pipes to the daemon, which would break when the
// daemon dies), and spawn errors turned into sentences a user can act on.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { LogCapture } from './log-capture.js';
import { ensureFifo, openChildEnd } from './fifo.js';
import { processStartTime } from './process-identity.js';

export interface SpawnRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  fifos: { stdout: string; stderr: string };
  capture: LogCapture;
  /** checked after the last await, right before spawning: false cancels (the instance is being stopped) */
  proceed(): boolean;
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
}

export type SpawnResult =
  | { ok: true; child: ChildProcess; pid: number; startTime: string | undefined }
  | { ok: false; cancelled?: boolean; message: string };

export async function spawnProcess(req: SpawnRequest): Promise<SpawnResult> {
  const [command, ...args] = req.argv;
  if (!command) return { ok: false, message: 'the service has no command' };
  if (!isDirectory(req.cwd)) return { ok: false, message: `working directory not found: ${req.cwd}` };
  await ensureFifo(req.fifos.stdout);
  await ensureFifo(req.fifos.stderr);
  if (!req.proceed()) return { ok: false, cancelled: true, message: 'cancelled' };

  // Open the child's ends before the daemon's readers: a reader on a FIFO without any writer
  // would see end-of-file at once.
  const out = openChildEnd(req.fifos.stdout);
  let err: number | undefined;
  let child: ChildProcess;
  try {
    err = openChildEnd(req.fifos.stderr);
    req.capture.attach(req.fifos);
    child = spawn(command, args, { cwd: req.cwd, env: req.env, detached: true, stdio: ['ignore', out, err] });
  } catch (e) {
    return { ok: false, message: spawnErrorMessage(e, command) };
  } finally {
    // the child has its own copies now; the daemon must not hold a writer
    fs.closeSync(out);
    if (err !== undefined) fs.closeSync(err);
  }

  // Listen for the exit before anything else can happen; it only counts once the spawn succeeded.
  let running = false;
  child.once('exit', (code, signal) => {
    if (running) req.onExit(code, signal);
  });
  const started = await new Promise<{ ok: true } | { ok: false; error: unknown }>((resolve) => {
    child.once('spawn', () => resolve({ ok: true }));
    child.once('error', (error) => resolve({ ok: false, error }));
  });
  if (!started.ok || child.pid === undefined) {
    return { ok: false, message: spawnErrorMessage(started.ok ? new Error('no pid') : started.error, command) };
  }
  running = true;
  child.on('error', () => {
    // errors after spawn (e.g. a failed kill) are not fatal: the exit event tells what happened
  });
  return { ok: true, child, pid: child.pid, startTime: processStartTime(child.pid) };
}

export function spawnErrorMessage(error: unknown, command: string): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return `command not found: ${command}`;
  if (code === 'EACCES') return `permission denied: ${command} is not executable`;
  const text = error instanceof Error ? error.message : String(error);
  return `cannot start ${command}: ${text}`;
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
