// What the API shows of a run: its summary (the store's row without the state) and its detail
// (plus the task occurrences sorted by start, position, context and timers), built from a stored
// record or from a live run's state. Also the occurrence key of a task event. Pure.

import { TERMINAL_RUN_STATUSES, type WorkflowRunRecord, type WorkflowRunStatus, type WorkflowRunSummary } from '../../store/index.js';
import type { RunState, TaskEvent, TaskRecord } from '../engine/types.js';
import type { RunDetail, RunSummary, RunTask } from './types.js';

export const isTerminal = (status: WorkflowRunStatus): boolean => TERMINAL_RUN_STATUSES.includes(status);

/** The run's row as the API shows it (no state). */
export function summaryOf(record: RunSummary | WorkflowRunSummary | WorkflowRunRecord): RunSummary {
  const out: RunSummary = {
    id: record.id,
    workflow: record.workflow,
    version: record.version,
    status: record.status,
    input: record.input,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
  if (record.output !== undefined) out.output = record.output;
  if (record.error !== undefined) out.error = record.error as RunSummary['error'];
  if (record.endedAt !== undefined) out.endedAt = record.endedAt;
  return out;
}

/** What the service knows of a run besides its state. */
export interface RunMeta {
  id: string;
  workflow: string;
  version: string;
  input: unknown;
  createdAt: number;
}

/** A live run's summary from its state. */
export function liveSummary(meta: RunMeta, state: Readonly<RunState>, updatedAt: number, endedAt?: number): RunSummary {
  const out: RunSummary = {
    id: meta.id,
    workflow: meta.workflow,
    version: meta.version,
    status: state.status,
    input: meta.input,
    createdAt: meta.createdAt,
    updatedAt,
  };
  if (state.output !== undefined) out.output = state.output;
  if (state.error !== undefined) out.error = state.error;
  if (endedAt !== undefined && isTerminal(state.status)) out.endedAt = endedAt;
  return out;
}

const byStart = (a: RunTask, b: RunTask) => a.startedAt - b.startedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Summary plus the state's task occurrences (by startedAt, then key), position, context and timers. */
export function detailOf(summary: RunSummary, state: Partial<RunState> | Record<string, unknown>): RunDetail {
  const s = state as Partial<RunState>;
  const tasks: RunTask[] = Object.entries((s.tasks ?? {}) as Record<string, TaskRecord>).map(([key, t]) => ({ key, ...t }));
  tasks.sort(byStart);
  const out: RunDetail = { ...summary, tasks, context: s.context ?? {} };
  if (s.position) out.position = s.position;
  if (s.timers && Object.keys(s.timers).length > 0) out.timers = { ...s.timers };
  return out;
}

/** `<pointer>[:<loop index>…]#` — an occurrence key without its count. */
export function occurrencePrefix(pointer: string, loop?: readonly number[]): string {
  return `${pointer}${(loop ?? []).map((i) => `:${i}`).join('')}#`;
}

/**
 * Finds the occurrence keys of a run's task events in its state: the newest occurrence of the
 * event's pointer and loop indices (the engine records an occurrence before reporting it).
 * Remembers the newest count per prefix, so a long run costs O(1) per event.
 */
export function occurrenceKeys(state: Readonly<RunState>): (event: TaskEvent & { key?: string }) => string | undefined {
  const newest = new Map<string, number>();
  return (event) => {
    if (typeof event.key === 'string') return event.key;
    const tasks = state.tasks ?? {};
    const prefix = occurrencePrefix(event.pointer, event.loop);
    let n = newest.get(prefix) ?? -1;
    while (`${prefix}${n + 1}` in tasks) n++;
    newest.set(prefix, n);
    return n >= 0 ? `${prefix}${n}` : undefined;
  };
}
