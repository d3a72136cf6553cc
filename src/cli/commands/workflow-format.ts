// What `tutti workflow` prints: tables of workflows and runs, a run's task timeline, the live
// one-line-per-task view of `run --wait`, and a workflow error as one sentence. Pure functions
// of the API's answers (and `now`), so they are tested without a daemon.

import pc from 'picocolors';
import { formatDuration } from '../../core/index.js';
import type { RunDetail, RunStatus, RunSummary, RunTaskEvent, TaskRecord, WorkflowErrorJSON, WorkflowSummary } from '../../client/index.js';
import { table } from '../output.js';

export const WORKFLOW_HEADERS = ['NAME', 'VERSION', 'VERSIONS', 'ORIGIN', 'TITLE'];
export const RUN_HEADERS = ['RUN', 'WORKFLOW', 'VERSION', 'STATUS', 'STARTED', 'DURATION'];
export const TASK_HEADERS = ['TASK', 'POINTER', 'LOOP', 'STATUS', 'START', 'DURATION', 'RETRIES', 'ERROR'];

/** 12ms, 1.5s, 2m30s: tenths of a second matter for tasks, not for hours. */
export function elapsed(ms: number): string {
  const n = Math.max(0, ms);
  if (n < 1000) return `${Math.round(n)}ms`;
  if (n < 60_000) return `${(n / 1000).toFixed(1)}s`;
  return formatDuration(n);
}

export function colourRunStatus(status: RunStatus | TaskRecord['status']): string {
  switch (status) {
    case 'completed': return pc.green(status);
    case 'running': return pc.cyan(status);
    case 'suspended': return pc.yellow(status);
    case 'faulted': return pc.red(status);
    case 'cancelled': return pc.dim(status);
    default: return status;
  }
}

/** The last segment of a standard error type (`communication`), else the whole type. */
function kindOf(type: string): string {
  const m = /\/errors\/(?:types\/)?([a-z-]+)$/.exec(type);
  return m ? m[1] : type;
}

/** `Not Found (communication, 404): no pet 7`. */
export function errorText(e: WorkflowErrorJSON): string {
  const kind = `${kindOf(e.type)}, ${e.status}`;
  const head = e.title ? `${e.title} (${kind})` : `${kindOf(e.type)} error (${e.status})`;
  return e.detail && e.detail !== e.title ? `${head}: ${e.detail}` : head;
}

/** One sentence for a faulted run, naming the task (JSON pointer) that raised the error. */
export function runFaultText(run: Pick<RunSummary, 'id' | 'error'>): string {
  if (!run.error) return `run ${run.id} faulted`;
  const at = run.error.instance ? ` at ${run.error.instance}` : '';
  return `run ${run.id} faulted${at}: ${errorText(run.error)}`;
}

const loopText = (loop: readonly number[] | undefined) => (loop && loop.length > 0 ? `[${loop.join(',')}]` : '');

export function workflowRows(list: readonly WorkflowSummary[]): string[][] {
  return list.map((w) => [w.name, w.version, String(w.versions.length), w.origin, w.title ?? '-']);
}

/** How long a run took, or has been going while it still runs. */
export function runDuration(run: RunSummary, now: number): number {
  const end = run.endedAt ?? (run.status === 'running' ? now : run.updatedAt);
  return end - run.createdAt;
}

export function runRows(runs: readonly RunSummary[], now: number): string[][] {
  return runs.map((r) => [
    r.id,
    r.workflow,
    r.version,
    colourRunStatus(r.status),
    `${formatDuration(Math.max(0, now - r.createdAt))} ago`,
    elapsed(runDuration(r, now)),
  ]);
}

/** A task's row of the timeline; START is its offset from the run's start. */
export function taskRows(tasks: readonly TaskRecord[], runStart: number, now: number): string[][] {
  return tasks.map((t) => [
    t.name,
    t.pointer,
    loopText(t.loop) || '-',
    colourRunStatus(t.status),
    `+${elapsed(t.startedAt - runStart)}`,
    t.endedAt === undefined ? (t.status === 'running' ? `${elapsed(now - t.startedAt)}…` : '-') : elapsed(t.endedAt - t.startedAt),
    t.retries ? String(t.retries) : '-',
    t.error ? errorText(t.error) : '-',
  ]);
}

function json(value: unknown): string {
  return value === undefined ? pc.dim('(none)') : JSON.stringify(value, null, 2);
}

/** `tutti workflow show RUN`: the summary, the task timeline, then input and output. */
export function runDetailText(run: RunDetail, now: number): string {
  const ended = run.endedAt !== undefined ? ` · ended ${new Date(run.endedAt).toISOString()}` : '';
  const lines = [
    `${pc.bold('run')}       ${run.id}`,
    `${pc.bold('workflow')}  ${run.workflow} ${run.version}`,
    `${pc.bold('status')}    ${colourRunStatus(run.status)}`,
    `${pc.bold('started')}   ${new Date(run.createdAt).toISOString()} (${formatDuration(Math.max(0, now - run.createdAt))} ago)${ended}`,
    `${pc.bold('duration')}  ${elapsed(runDuration(run, now))}`,
  ];
  if (run.position && run.status !== 'completed') lines.push(`${pc.bold('position')}  ${run.position.pointer}${loopText(run.position.loop)}`);
  if (run.error) lines.push(`${pc.bold('error')}     ${pc.red(runFaultText(run).replace(/^run \S+ faulted/, 'faulted'))}`);
  lines.push('');
  lines.push(run.tasks.length === 0 ? pc.dim('no task has started') : table(TASK_HEADERS, taskRows(run.tasks, run.createdAt, now)));
  lines.push('', pc.bold('input'), json(run.input));
  if (run.status === 'completed') lines.push('', pc.bold('output'), json(run.output));
  return lines.join('\n');
}

/** `✓ reserve (/do/0/reserve) 12ms` or `✗ charge (/do/1/charge) 3ms Not Found (communication, 404)`. */
export function taskLine(t: { name: string; pointer: string; loop?: number[]; status: 'completed' | 'faulted'; error?: WorkflowErrorJSON }, ms?: number): string {
  const where = pc.dim(`(${t.pointer}${loopText(t.loop)})`);
  const took = ms === undefined ? '' : ` ${elapsed(ms)}`;
  if (t.status === 'completed') return `${pc.green('✓')} ${t.name} ${where}${took}`;
  return `${pc.red('✗')} ${t.name} ${where}${took}${t.error ? ' ' + pc.red(errorText(t.error)) : ''}`;
}

const occurrence = (t: { pointer: string; loop?: number[] }) => `${t.pointer}${loopText(t.loop)}`;

/**
 * The live view of `tutti workflow run --wait`: one line per task that completes or faults, with
 * its duration when its start was seen. Tasks that ended before the watch began (a quick run
 * ends before the stream opens) are printed afterwards from the run's records (`catchUp`).
 */
export class TaskLines {
  private readonly started = new Map<string, number>();
  /** completed or faulted occurrences printed so far, by pointer and loop indices */
  private readonly printed = new Map<string, number>();

  /** The line for a task event, or undefined for a start. */
  line(e: RunTaskEvent): string | undefined {
    const key = e.key ?? occurrence(e);
    const at = Date.parse(e.time);
    if (e.type === 'started') {
      this.started.set(key, at);
      return undefined;
    }
    const from = this.started.get(key);
    this.started.delete(key);
    this.printed.set(occurrence(e), (this.printed.get(occurrence(e)) ?? 0) + 1);
    return taskLine({ ...e, status: e.type }, from === undefined || Number.isNaN(at) ? undefined : at - from);
  }

  /** Lines for the finished tasks of `tasks` not printed live, in the order they ended. */
  catchUp(tasks: readonly TaskRecord[]): string[] {
    const seen = new Map(this.printed);
    const missed: TaskRecord[] = [];
    for (const t of tasks) {
      if (t.status === 'running') continue;
      const n = seen.get(occurrence(t)) ?? 0;
      if (n > 0) seen.set(occurrence(t), n - 1);
      else missed.push(t);
    }
    // within one millisecond a task ends before the task that contains it
    const inside = (a: TaskRecord, b: TaskRecord) => a.pointer.startsWith(`${b.pointer}/`);
    missed.sort((a, b) => (a.endedAt ?? a.startedAt) - (b.endedAt ?? b.startedAt) || (inside(a, b) ? -1 : inside(b, a) ? 1 : 0));
    return missed.map((t) => taskLine({ ...t, status: t.status as 'completed' | 'faulted' }, t.endedAt === undefined ? undefined : t.endedAt - t.startedAt));
  }
}
