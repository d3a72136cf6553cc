// Exec health check: run an argv in the service's cwd and env; healthy on exit 0 within the
// timeout. The command runs in its own process group so a timeout kills everything it started,
// and a failure message ends with the tail of its output, which is usually the reason.

import { spawn } from 'node:child_process';
import path from 'node:path';
import type { HealthSpec } from '../../core/index.js';
import { describeError, probeDeadline } from './probe-deadline.js';
import type { ProbeResult, ProbeTarget } from './probe-types.js';

const TAIL_CHARS = 300;

export function execProbe(check: HealthSpec, target: ProbeTarget, outer: AbortSignal): Promise<ProbeResult> {
  const argv = check.exec ?? [];
  if (argv.length === 0) return Promise.resolve({ ok: false, message: 'exec health check has no command' });
  const deadline = probeDeadline(outer, check.timeoutMs);
  if (deadline.signal.aborted) return Promise.resolve({ ok: false, message: deadline.reason() });

  return new Promise<ProbeResult>((resolve) => {
    let output = '';
    let settled = false;
    const child = spawn(argv[0], argv.slice(1), {
      cwd: target.cwd,
      env: target.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-TAIL_CHARS * 2);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);

    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      deadline.signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const withTail = (text: string): string => {
      const tail = output.trim().slice(-TAIL_CHARS).trim();
      return tail ? `${text}: ${tail}` : text;
    };
    const onAbort = (): void => {
      killGroup(child.pid);
      finish({ ok: false, message: withTail(deadline.reason()) });
    };

    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') finish({ ok: false, message: `command not found: ${argv[0]}` });
      else if (err.code === 'EACCES') finish({ ok: false, message: `permission denied: ${argv[0]}` });
      else finish({ ok: false, message: describeError(err) });
    });
    // 'close' rather than 'exit': the output tail is complete only once both pipes are drained.
    child.once('close', (code, signal) => {
      if (code === 0) return finish({ ok: true });
      const name = path.basename(argv[0]);
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      finish({ ok: false, message: withTail(`${name} ${how}`) });
    });
    deadline.signal.addEventListener('abort', onAbort, { once: true });
  });
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
