// The manifest's `resources.limits.memory` on the process runtime, as pure functions: which
// instances have a limit, which samples pass it, and how that reads. PM2 users know this as
// max_memory_restart; the restart it leads to is a crash to the restart policy, as Kubernetes'
// OOMKilled is. The sampling (memory-watch.ts) and the stop (instance-supervisor.ts) do the I/O.

import type { ServiceSpec } from '../../core/index.js';

/**
 * How often resident memory is sampled by default. PM2 checks every 30 s (worker_interval);
 * a leak of a few MiB per second passes a limit by much less between two samples 3 s apart,
 * and one /proc scan every 3 s costs next to nothing.
 */
export const DEFAULT_MEMORY_CHECK_MS = 3000;
/** Overrides the sampling interval (ms), for tests. */
export const MEMORY_CHECK_ENV = 'TUTTI_MEMORY_CHECK_MS';

/** The interval from TUTTI_MEMORY_CHECK_MS; undefined when unset, 'invalid' when not a positive number of ms. */
export function memoryCheckIntervalFromEnv(value: string | undefined): number | 'invalid' | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const ms = Number(value);
  return Number.isInteger(ms) && ms > 0 ? ms : 'invalid';
}

/** The resident memory an instance of the service may use, in bytes; undefined for no limit. */
export function memoryLimitOf(spec: ServiceSpec): number | undefined {
  // limits.cpuMillis and requests have no effect here: a local process gets no cgroup of its own
  const limit = spec.resources?.limits?.memoryBytes;
  return typeof limit === 'number' && Number.isFinite(limit) && limit > 0 ? limit : undefined;
}

/** One running instance whose memory is watched: its process group (= leader pid) and its limit. */
export interface WatchedInstance {
  id: string;
  pgid: number;
  limitBytes: number;
}

export interface MemoryExcess extends WatchedInstance {
  rssBytes: number;
  /** why the instance is restarted, for its message, its events and the daemon log */
  cause: string;
}

/**
 * The instances whose sample passed their limit. An instance without a sample (it exited
 * between listing and measuring) is left alone; the exit is handled as an exit.
 */
export function overMemoryLimit(watched: WatchedInstance[], rssByGroup: ReadonlyMap<number, number>): MemoryExcess[] {
  const out: MemoryExcess[] = [];
  for (const w of watched) {
    const rss = rssByGroup.get(w.pgid);
    if (rss === undefined || rss <= w.limitBytes) continue;
    out.push({ ...w, rssBytes: rss, cause: memoryLimitMessage(rss, w.limitBytes) });
  }
  return out;
}

export function memoryLimitMessage(rssBytes: number, limitBytes: number): string {
  return `resident memory ${formatMemory(rssBytes)} passed the limit ${formatMemory(limitBytes)}`;
}

/** Binary units, as the manifest reads them: 96 MiB, 1.5 GiB, 512 KiB. */
export function formatMemory(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  // one decimal below 10 (1.5 GiB), none above, and none that says nothing (96.0 → 96)
  const text = value < 10 && unit > 0 ? String(Math.round(value * 10) / 10) : String(Math.round(value));
  return `${text} ${units[unit]}`;
}
