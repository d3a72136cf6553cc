// Retention of captured logs by age, beside rotation by size: rotated files last written more
// than max_age ago are deleted, and so is every file of an instance that no longer exists once
// its newest line is that old (its service's folder too, once empty). A file's modification
// time is the time of the last line written to it. Run when the runtime starts, then hourly.

import fs from 'node:fs';
import path from 'node:path';
import { parseLogFileName } from './log-reader.js';

export const DEFAULT_LOG_MAX_AGE_MS = 7 * 24 * 3_600_000;
export const LOG_RETENTION_INTERVAL_MS = 3_600_000;

export interface PruneOptions {
  logsDir: string;
  /** max_age of the service's logs */
  maxAgeOf(service: string): number;
  /** whether the instance still exists: its current file is kept, however old */
  instanceExists(service: string, instance: string): boolean;
  /** whether any instance of the service exists: its folder is kept, even empty */
  serviceHasInstances(service: string): boolean;
  now?: number;
}

interface LogFile {
  file: string;
  rotated: boolean;
  mtimeMs: number;
}

/** Deletes what is past its age; returns the paths removed. Files that vanish meanwhile are skipped. */
export async function pruneLogs(opts: PruneOptions): Promise<string[]> {
  const now = opts.now ?? Date.now();
  const removed: string[] = [];
  for (const service of await readdirSafe(opts.logsDir)) {
    const dir = path.join(opts.logsDir, service);
    const byInstance = await filesByInstance(dir);
    if (byInstance === undefined) continue; // not a folder
    const cutoff = now - opts.maxAgeOf(service);
    for (const [instance, files] of byInstance) {
      const newest = Math.max(...files.map((f) => f.mtimeMs));
      const gone = !opts.instanceExists(service, instance) && newest < cutoff;
      for (const f of files) {
        if (gone || (f.rotated && f.mtimeMs < cutoff)) {
          if (await unlinkSafe(f.file)) removed.push(f.file);
        }
      }
    }
    // checked and removed in one go, so no instance can start writing into it in between
    if (!opts.serviceHasInstances(service)) {
      try {
        fs.rmdirSync(dir); // only when empty
        removed.push(dir);
      } catch {
        // not empty, or gone already
      }
    }
  }
  return removed;
}

/** Log files of a folder by instance; undefined when the path is not a readable folder. */
async function filesByInstance(dir: string): Promise<Map<string, LogFile[]> | undefined> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return undefined;
  }
  const out = new Map<string, LogFile[]>();
  for (const name of names) {
    const parsed = parseLogFileName(name);
    if (!parsed) continue;
    const file = path.join(dir, name);
    const stat = await fs.promises.stat(file).catch(() => undefined);
    if (!stat?.isFile()) continue;
    const list = out.get(parsed.instance) ?? [];
    list.push({ file, rotated: parsed.rotation !== undefined, mtimeMs: stat.mtimeMs });
    out.set(parsed.instance, list);
  }
  return out;
}

async function unlinkSafe(file: string): Promise<boolean> {
  try {
    await fs.promises.unlink(file);
    return true;
  } catch {
    return false;
  }
}

async function readdirSafe(dir: string): Promise<string[]> {
  try {
    return await fs.promises.readdir(dir);
  } catch {
    return [];
  }
}

export interface RetentionSchedule {
  /** the check run at start */
  readonly first: Promise<void>;
  /** clears the timer and waits for a check in progress */
  stop(): Promise<void>;
}

/** Runs `check` now and then every intervalMs (never two at once), on a timer that keeps no process alive. */
export function scheduleRetention(check: () => Promise<unknown>, opts: { intervalMs: number; onError(err: unknown): void }): RetentionSchedule {
  let stopped = false;
  let running: Promise<void> | undefined;
  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    running ??= check()
      .then(() => undefined, opts.onError)
      .finally(() => (running = undefined));
    return running;
  };
  const first = tick();
  const timer = setInterval(() => void tick(), opts.intervalMs);
  timer.unref();
  return {
    first,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
