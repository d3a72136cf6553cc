// Schedules (`schedule:` of a document) start runs of the latest deployed version by themselves:
//   every — one run per interval, the first one interval after the deploy (or the daemon's start),
//           whether or not the previous run ended;
//   cron  — at the times of a cron expression (croner; 5 or 6 fields, the daemon's time zone);
//   after — one run when the definition is deployed with no run before it, then each next one
//           that long after the previous run of the workflow ended (also across daemon restarts:
//           the wait counts from the last run's end as stored);
//   on    — runs started by events on the bus, with the consumption strategies of `listen`
//           (filters, correlation): `one` / `any` start one run per accepted event, `all` one run
//           once an event of every filter has arrived; the run's input is the array of the events
//           consumed (dsl.md "Input of event-driven scheduled workflows").
// Several fields in one schedule all apply. A new version replaces the schedule of the previous.

import { TuttiError } from '../../core/index.js';
import { formatProblem, type WorkflowDefinition } from '../definition/index.js';
import { parseSource } from '../definition/source.js';
import { durationMs } from '../engine/durations.js';
import { EventConsumption } from '../events/consumption.js';
import type { CloudEvent, EventBus } from '../events/types.js';
import { evaluateValue } from '../expressions/index.js';
import type { RunSummary } from './types.js';
import { longInterval, longTimeout } from '../engine/long-timer.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ScheduledDefinition {
  name: string;
  version: string;
  schedule?: unknown;
  /** the compiled definition, for the expressions of `schedule.on` filters */
  def?: () => WorkflowDefinition;
}

export interface SchedulerOptions {
  /** the latest version of every deployed definition */
  definitions(): ScheduledDefinition[];
  start(name: string, input: unknown): Promise<unknown>;
  /** the workflow's newest run (for `after`) */
  lastRun(name: string): Promise<RunSummary | undefined>;
  events?: EventBus;
  onError(err: unknown, name: string): void;
  now?: () => number;
}

interface Armed {
  key: string;
  stop(): void;
  /** a run of this workflow ended (for `after`) */
  ended?(): void;
}

const CRON_FIELDS = /^\s*\S+(\s+\S+){4,5}\s*$/;

/** Checks `schedule` at deploy time: durations and the cron expression, naming file:line:col. */
export async function checkSchedule(raw: Obj, source: string, file: string | undefined): Promise<void> {
  const schedule = raw.schedule;
  if (!isObject(schedule)) return;
  const problems: Array<{ pointer: string; message: string }> = [];
  for (const field of ['every', 'after'] as const) {
    if (schedule[field] === undefined) continue;
    try {
      if (durationMs(schedule[field], `/schedule/${field}`) <= 0) problems.push({ pointer: `/schedule/${field}`, message: 'must be longer than zero' });
    } catch (e) {
      problems.push({ pointer: `/schedule/${field}`, message: e instanceof Error ? e.message : String(e) });
    }
  }
  if (typeof schedule.cron === 'string') {
    try {
      if (!CRON_FIELDS.test(schedule.cron)) throw new Error('a cron expression has 5 fields (minute hour day month weekday), or 6 with seconds first');
      const { Cron } = await import('croner');
      new Cron(schedule.cron, { paused: true }).stop();
    } catch (e) {
      problems.push({ pointer: '/schedule/cron', message: `invalid cron expression ${JSON.stringify(schedule.cron)}: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  if (problems.length === 0) return;
  const parsed = parseSource(source);
  const label = file ?? 'workflow';
  const located = problems.map((p) => ({ ...p, ...(parsed.ok ? parsed.source.locate(p.pointer) : { line: 1, column: 1 }) }));
  const more = located.length > 1 ? ` (and ${located.length - 1} more problem${located.length > 2 ? 's' : ''})` : '';
  throw new TuttiError('TUTTI_E_BAD_REQUEST', `${formatProblem(label, located[0])}${more}`, {
    hint: 'durations are ISO 8601 (PT5M) or { minutes: 5 }; cron is e.g. "*/5 * * * *"',
    details: { file: label, problems: located.map((p) => ({ ...p, text: formatProblem(label, p) })) },
  });
}

export class Scheduler {
  private readonly armed = new Map<string, Armed>();
  private stopped = false;
  private readonly now: () => number;
  private syncing: Promise<void> = Promise.resolve();

  constructor(private readonly opts: SchedulerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Arms the schedules of the latest versions, re-arming only what changed. One sync at a
   *  time: two overlapping ones (a deploy while the daemon starts) would arm a schedule twice. */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.syncNow());
    return this.syncing;
  }

  /** Disarms every schedule until the next sync (the stack is going down: nothing to run against). */
  pause(): Promise<void> {
    this.syncing = this.syncing.then(() => {
      for (const a of this.armed.values()) a.stop();
      this.armed.clear();
    });
    return this.syncing;
  }

  private async syncNow(): Promise<void> {
    if (this.stopped) return;
    const wanted = new Map(this.opts.definitions().filter((d) => isObject(d.schedule)).map((d) => [d.name, d]));
    for (const [name, a] of this.armed) {
      const d = wanted.get(name);
      if (!d || keyOf(d) !== a.key) {
        a.stop();
        this.armed.delete(name);
      }
    }
    for (const [name, d] of wanted) {
      if (this.armed.has(name)) continue;
      const stops: Array<() => void> = [];
      try {
        const armed = await this.arm(d, stops);
        // stopped while arming: undo what was armed
        if (this.stopped) armed.stop();
        else this.armed.set(name, armed);
      } catch (err) {
        stops.forEach((f) => f());
        this.opts.onError(err, name);
      }
    }
  }

  /** A run of `name` ended: an `after` schedule counts from now. */
  runEnded(name: string): void {
    this.armed.get(name)?.ended?.();
  }

  stop(): void {
    this.stopped = true;
    for (const a of this.armed.values()) a.stop();
    this.armed.clear();
  }

  private fire(name: string, input: unknown): void {
    if (this.stopped) return;
    this.opts.start(name, input).catch((err: unknown) => this.opts.onError(err, name));
  }

  /** Arms one definition's schedule; every stop function goes into `stops` as soon as it
   *  exists, so a failure halfway can undo what was armed. */
  private async arm(d: ScheduledDefinition, stops: Array<() => void>): Promise<Armed> {
    const s = d.schedule as Obj;
    let ended: (() => void) | undefined;
    if (s.every !== undefined) {
      const ms = durationMs(s.every, '/schedule/every');
      stops.push(longInterval(() => this.fire(d.name, {}), ms, { unref: true }));
    }
    if (typeof s.cron === 'string') {
      const { Cron } = await import('croner');
      const job = new Cron(s.cron, { unref: true }, () => this.fire(d.name, {}));
      stops.push(() => job.stop());
    }
    if (s.after !== undefined) {
      const ms = durationMs(s.after, '/schedule/after');
      let cancel = () => {};
      const at = (delay: number) => {
        cancel();
        cancel = longTimeout(() => this.fire(d.name, {}), Math.max(0, delay), { unref: true });
      };
      stops.push(() => cancel());
      const last = await this.opts.lastRun(d.name);
      if (!last) at(0);
      else if (last.endedAt !== undefined || last.status === 'suspended') at((last.endedAt ?? last.updatedAt) + ms - this.now());
      // a run still going: counted from its end (runEnded)
      ended = () => at(ms);
    }
    if (s.on !== undefined && this.opts.events) stops.push(this.listen(d, this.opts.events));
    return { key: keyOf(d), stop: () => stops.forEach((f) => f()), ended };
  }

  /** `schedule.on` with the consumption strategies `listen` uses (filters, correlation, all/any/one). */
  private listen(d: ScheduledDefinition, bus: EventBus): () => void {
    const def = d.def?.();
    const consumption = new EventConsumption((d.schedule as Obj).on, '/schedule/on', {
      evaluate: (pointer, value) => (def ? evaluateValue(def.valueAt(pointer), value) : undefined),
      isExpression: (pointer) => def?.values.get(pointer)?.kind === 'expression',
      expected: (pointer) => (def ? evaluateValue(def.valueAt(pointer), {}) : undefined),
    });
    let state = consumption.initial();
    let consumed: CloudEvent[] = [];
    return bus.subscribe(
      () => true,
      ({ event }) => {
        if (consumption.offer(event, state) !== 'consume') return;
        consumed.push(event);
        if (!consumption.received(state)) return;
        const input = consumed;
        state = consumption.initial();
        consumed = [];
        this.fire(d.name, input);
      },
    );
  }
}

const keyOf = (d: ScheduledDefinition) => `${d.version}\u0000${JSON.stringify(d.schedule)}`;
