// Child processes for `run: shell` and `run: script`: spawn one (no shell of its own: callers
// pass /bin/sh -c when they want one), feed stdin, collect stdout/stderr up to a cap, and kill
// its whole process group when the task's signal aborts (cancel, suspend, timeout).

import { spawn } from 'node:child_process';

export interface ProcessSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  stdin?: string;
}

export interface ProcessResult {
  /** exit code, or null when a signal ended it */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** bytes kept of each of stdout and stderr; more kills the process */
export const MAX_OUTPUT_BYTES = 10 * 1024 * 1024;
/** after SIGTERM, how long a cancelled process has before SIGKILL */
const KILL_GRACE_MS = 2000;

export class OutputTooLarge extends Error {
  constructor(readonly stream: 'stdout' | 'stderr') {
    super(`the process wrote more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB to ${stream}`);
  }
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // gone already
  }
}

/** Runs the process to its end; rejects with the signal's reason when it aborts (the process is killed). */
export function runProcess(spec: ProcessSpec, signal: AbortSignal): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    // its own process group, so that killing it also kills what a shell started
    const child = spawn(spec.file, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const sizes = { stdout: 0, stderr: 0 };
    let settled = false;
    const stop = (e: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      killGroup(child.pid, 'SIGTERM');
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
      reject(e);
    };
    const onAbort = () => stop(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const collect = (stream: 'stdout' | 'stderr', into: Buffer[]) => (chunk: Buffer) => {
      sizes[stream] += chunk.length;
      if (sizes[stream] > MAX_OUTPUT_BYTES) return stop(new OutputTooLarge(stream));
      into.push(chunk);
    };
    child.stdout.on('data', collect('stdout', out));
    child.stderr.on('data', collect('stderr', err));
    child.stdin.on('error', () => undefined); // a process that exits without reading its stdin
    child.stdin.end(spec.stdin ?? '');
    child.on('error', (e) => stop(e));
    child.on('close', (code, sig) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve({ code, signal: sig, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Starts the process and lets it run on its own (`await: false`); `onExit` runs when it ends. */
export function startDetached(spec: ProcessSpec, onExit?: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.file, spec.args, { cwd: spec.cwd, env: spec.env, stdio: [spec.stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'], detached: true });
    child.once('error', (e) => {
      onExit?.();
      reject(e);
    });
    child.once('spawn', () => {
      if (child.stdin) {
        child.stdin.on('error', () => undefined);
        child.stdin.end(spec.stdin);
      }
      child.once('exit', () => onExit?.());
      child.unref();
      resolve();
    });
  });
}
