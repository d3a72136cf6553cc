// Polling with a deadline, the only way tests wait for something: no fixed sleeps. Shared by
// the unit tests under src/ and, through test/fixtures/wait.ts, the tests under test/.

import fs from 'node:fs';

export interface WaitOptions {
  timeout?: number;     // ms, default 10 s
  interval?: number;    // ms between checks, default 25
  message?: string;     // what was awaited, for the failure
}

/** What a truthy result of a condition can be. */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Calls fn until it returns a truthy value (which is returned) or the deadline passes. */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: WaitOptions = {}): Promise<Truthy<T>> {
  const timeout = opts.timeout ?? 10_000;
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as Truthy<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeout}ms waiting for ${opts.message ?? 'a condition'}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, opts.interval ?? 25));
  }
}

/** Drains an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Whether a pid is a live (not zombie) process. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // an exited child that nobody reaped is still "there" for kill(); read its state
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

