// A run's tasks as timeline rows (pure, unit-tested): each occurrence with its offset from the
// run's start and its duration as fractions of the run's span, its depth in the task tree
// (from its JSON pointer) and its attempts. A task still running extends to `now`.

import type { TaskRecord } from '../api/types';

export interface TimelineRow {
  key: string;
  name: string;
  pointer: string;
  loop?: number[];
  status: TaskRecord['status'];
  depth: number;
  startMs: number;
  durationMs: number;
  /** offset and width in [0, 1] of the run's span */
  left: number;
  width: number;
  attempts: number;
  record: TaskRecord;
}

/** Nesting depth: /do/0/a → 0, /do/0/a/try/0/b → 1, /do/0/a/do/0/b/do/1/c → 2. */
export function depthOf(pointer: string): number {
  const parts = pointer.split('/').filter(Boolean);
  // each level adds `<list>/<index>/<name>` (3 parts); catch.do and fork.branches add 4
  let depth = -1;
  for (let i = 0; i < parts.length; i++) if (/^\d+$/.test(parts[i]) && i + 1 < parts.length) depth += 1;
  return Math.max(0, depth);
}

export function timeline(tasks: readonly TaskRecord[], runStart: number, runEnd: number | undefined, now: number): { rows: TimelineRow[]; spanMs: number } {
  const start = Math.min(runStart, ...tasks.map((t) => t.startedAt));
  const ends = tasks.map((t) => t.endedAt ?? (t.status === 'running' ? now : t.startedAt));
  const end = Math.max(runEnd ?? 0, start + 1, ...ends);
  const span = end - start;
  const rows = [...tasks]
    .sort((a, b) => a.startedAt - b.startedAt || a.pointer.localeCompare(b.pointer))
    .map((t, i) => {
      const tEnd = t.endedAt ?? (t.status === 'running' ? now : t.startedAt);
      const durationMs = Math.max(0, tEnd - t.startedAt);
      return {
        key: t.key ?? `${t.pointer}:${(t.loop ?? []).join(':')}#${i}`,
        name: t.loop && t.loop.length ? `${t.name} [${t.loop.join(', ')}]` : t.name,
        pointer: t.pointer,
        loop: t.loop,
        status: t.status,
        depth: depthOf(t.pointer),
        startMs: t.startedAt - start,
        durationMs,
        left: (t.startedAt - start) / span,
        width: Math.max(durationMs / span, 0.004),
        attempts: (t.retries ?? 0) + 1,
        record: t,
      };
    });
  return { rows, spanMs: span };
}
