// Counts what the workflow service reports (runs started, active and ended; task durations) in
// plain Maps, like the request recorder: cheap on every transition, there before prom-client is
// loaded, read by the metric families at scrape and sampling time. The daemon creates one and
// hands it to the workflow service as its metrics hooks.

import { WORKFLOW_TASK_BUCKETS } from './catalog.js';

/** One (workflow, task_type) pair's task durations. */
export interface TaskDurations {
  readonly workflow: string;
  readonly taskType: string;
  /** per bucket of WORKFLOW_TASK_BUCKETS, not cumulative; the last slot counts longer ones */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

export interface WorkflowCounts {
  /** runs started, by workflow */
  readonly started: ReadonlyMap<string, number>;
  /** runs ended, by workflow then status (completed, faulted, cancelled) */
  readonly ended: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** runs going on in this control plane now, by workflow */
  readonly active: ReadonlyMap<string, number>;
  tasks(): Iterable<TaskDurations>;
}

export class WorkflowRecorder implements WorkflowCounts {
  readonly started = new Map<string, number>();
  readonly ended = new Map<string, Map<string, number>>();
  readonly active = new Map<string, number>();
  readonly #tasks = new Map<string, TaskDurations>();
  readonly #maxSeries: number;
  /** task durations not counted because maxSeries pairs are tracked already */
  refused = 0;

  /** @param maxSeries distinct (workflow, task_type) pairs kept; default 5000 */
  constructor(opts: { maxSeries?: number } = {}) {
    this.#maxSeries = opts.maxSeries ?? 5000;
  }

  runStarted(workflow: string): void {
    this.started.set(workflow, (this.started.get(workflow) ?? 0) + 1);
  }

  runActive(workflow: string, delta: number): void {
    this.active.set(workflow, Math.max(0, (this.active.get(workflow) ?? 0) + delta));
  }

  runEnded(workflow: string, status: string): void {
    let by = this.ended.get(workflow);
    if (!by) this.ended.set(workflow, (by = new Map()));
    by.set(status, (by.get(status) ?? 0) + 1);
  }

  taskEnded(workflow: string, taskType: string, seconds: number): void {
    const key = `${workflow}\u0000${taskType}`;
    let t = this.#tasks.get(key);
    if (!t) {
      if (this.#tasks.size >= this.#maxSeries) {
        this.refused++;
        return;
      }
      t = { workflow, taskType, buckets: new Float64Array(WORKFLOW_TASK_BUCKETS.length + 1), sum: 0, count: 0 };
      this.#tasks.set(key, t);
    }
    const s = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
    let i = 0;
    while (i < WORKFLOW_TASK_BUCKETS.length && s > WORKFLOW_TASK_BUCKETS[i]) i++;
    t.buckets[i]++;
    t.sum += s;
    t.count++;
  }

  tasks(): IterableIterator<TaskDurations> {
    return this.#tasks.values();
  }
}

const LE = [...WORKFLOW_TASK_BUCKETS.map(String), '+Inf'];

/** Cumulative counts per `le` of one pair's task durations. */
export function cumulativeTaskBuckets(t: Pick<TaskDurations, 'buckets'>): Array<{ le: string; count: number }> {
  const out: Array<{ le: string; count: number }> = [];
  let acc = 0;
  for (let i = 0; i < t.buckets.length; i++) {
    acc += t.buckets[i];
    out.push({ le: LE[i], count: acc });
  }
  return out;
}
