// Walks task lists and runs one task with the spec's data flow (dsl.md "Data Flow"): `if` on the
// raw input, `input.from`, the task itself, `output.as`, `export.as` into $context, then the
// flow directive. Also task timeouts and durable timers. Task types live in ../tasks, one file each.
//
// Replay: every task occurrence has a key (`<pointer>[:<loop index>…]#<n>`, n counting earlier
// starts of that pointer+loop in this run) and a record in state.tasks. A resumed run walks the
// workflow again from the top; an occurrence whose record completed is not run but returns its
// recorded output and flow (and restores $context if it changed it); a faulted one throws its
// recorded error again; running or cancelled ones run. The walk is deterministic given the
// recorded outcomes, so the counts — and the keys — come out the same.

import type { TaskList, TaskNode, WorkflowDefinition } from '../definition/index.js';
import { evaluateValue, type ExpressionArguments } from '../expressions/index.js';
import { ErrorTypes, WorkflowError, isWorkflowError } from '../errors.js';
import { executorFor } from '../tasks/index.js';
import type { Clock } from './clock.js';
import { durationMs } from './durations.js';
import { SETTLED, Suspended, asWorkflowError, timeoutError } from './faults.js';
import { validateSchema } from './schema.js';
import type { Outcome, RunState, RunWorkflowOptions, Scope, TaskEvent, TaskRecord, TaskRuntime } from './types.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const EMPTY: Readonly<Obj> = Object.freeze({});
/** `<pointer>#0` by pointer, shared by every run (pointers are few: those of the loaded definitions) */
const FIRST_KEYS = new Map<string, string>();

export function dateTime(ms: number): { iso8601: string; epoch: { seconds: number; milliseconds: number } } {
  return { iso8601: new Date(ms).toISOString(), epoch: { seconds: Math.floor(ms / 1000), milliseconds: ms } };
}

/** jq truthiness: everything but false and null. */
export function truthy(v: unknown): boolean {
  return v !== false && v !== null && v !== undefined;
}

export class Engine {
  /** starts per pointer+loop so far (not persisted: a replay counts the same) */
  private readonly starts = new Map<string, number>();
  /** where this workflow's $context lives: the run state for the run's own workflow, a holder of
   *  its own for a sub-workflow (rebuilt by replay, like the run's) */
  readonly ctx: { context: unknown };

  constructor(
    readonly def: WorkflowDefinition,
    readonly options: RunWorkflowOptions,
    readonly clock: Clock,
    /** $workflow.id and the idempotency keys' prefix (a sub-workflow's is derived from its parent's) */
    readonly runId: string,
    readonly state: RunState,
    /** $workflow, $runtime, $secrets */
    readonly globals: ExpressionArguments,
    /** prepended to every key: '' for the run's workflow, `<run task key>>` for a sub-workflow */
    readonly prefix = '',
  ) {
    this.ctx = prefix === '' ? state : { context: {} };
  }

  transition(): void {
    this.options.onTransition?.(this.state);
  }

  valueAt(pointer: string, input: unknown, args: ExpressionArguments): unknown {
    return evaluateValue(this.def.valueAt(pointer), input, args);
  }

  private emit(type: TaskEvent['type'], task: TaskNode, key: string, loop: readonly number[], field: 'input' | 'output' | 'error', value: unknown): void {
    const onTask = this.options.onTask;
    if (!onTask) return;
    const event: TaskEvent = { type, pointer: task.pointer, name: task.name, key, time: new Date(this.clock.now()).toISOString() };
    if (loop.length > 0) event.loop = [...loop];
    (event as unknown as Obj)[field] = value;
    onTask(event);
  }

  private nextKey(pointer: string, loop: readonly number[]): string {
    // the common case (outside loops, first start) builds no string: the key is cached per pointer
    if (loop.length === 0 && !this.starts.has(pointer)) {
      this.starts.set(pointer, 1);
      let key = FIRST_KEYS.get(pointer);
      if (key === undefined) FIRST_KEYS.set(pointer, (key = `${pointer}#0`));
      return this.prefix + key;
    }
    const base = loop.length === 0 ? pointer : `${pointer}:${loop.join(':')}`;
    const n = this.starts.get(base) ?? 0;
    this.starts.set(base, n + 1);
    return `${this.prefix}${base}#${n}`;
  }

  /**
   * Sleeps until the durable deadline `timerKey`: the first call stores now+ms in state.timers, a
   * resumed run finds it and sleeps what is left (nothing once it has passed). The entry goes
   * once the sleep ends, or is aborted for any reason but a suspension (which keeps it for the resume).
   */
  async sleep(timerKey: string, ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    const now = this.clock.now();
    let deadline = this.state.timers[timerKey];
    if (deadline === undefined) {
      if (!(ms > 0)) return;
      deadline = now + ms;
      this.state.timers[timerKey] = deadline;
      this.transition();
    }
    try {
      if (deadline > now) await this.clock.sleep(deadline - now, signal);
      delete this.state.timers[timerKey];
    } catch (e) {
      if (!(signal?.reason instanceof Suspended)) delete this.state.timers[timerKey];
      throw e;
    }
  }

  async runList(list: TaskList, input: unknown, scope: Scope): Promise<Outcome> {
    let i = 0;
    let data = input;
    while (i < list.tasks.length) {
      if (scope.signal.aborted) throw scope.signal.reason;
      const result = await this.runTask(list.tasks[i], data, scope);
      data = result.output;
      if (result.ended) return { output: data, ended: true };
      const flow = result.flow ?? 'continue';
      if (flow === 'continue') i++;
      else if (flow === 'exit') return { output: data };
      else if (flow === 'end') return { output: data, ended: true };
      else {
        const j = list.index.get(flow);
        if (j === undefined) {
          throw new WorkflowError({ type: ErrorTypes.configuration, status: 400, title: 'Unknown flow directive', detail: `"then: ${flow}" names no task of ${list.pointer}.`, instance: list.tasks[i].pointer });
        }
        i = j;
      }
    }
    return { output: data };
  }

  /** Milliseconds of a `timeout` (inline `{ after }` or a `use.timeouts` name), undefined when none. */
  timeoutOf(timeout: unknown, pointer: string): number | undefined {
    if (timeout === undefined) return undefined;
    let t: unknown = timeout;
    if (typeof t === 'string') {
      const use: Obj = isObject(this.def.raw.use) && isObject(this.def.raw.use.timeouts) ? this.def.raw.use.timeouts : {};
      t = use[t];
    }
    if (!isObject(t)) return undefined;
    return durationMs(t.after, pointer);
  }

  /** Runs `fn` with a signal that aborts (with a timeout error) after `ms`, and rejects at that
   *  moment. With a `timerKey` the deadline is durable (a resumed run keeps it). */
  async withTimeout<T>(ms: number, instance: string, parent: AbortSignal, fn: (signal: AbortSignal) => Promise<T>, timerKey?: string): Promise<T> {
    const ctrl = new AbortController();
    const onParent = () => ctrl.abort(parent.reason);
    if (parent.aborted) throw parent.reason;
    parent.addEventListener('abort', onParent, { once: true });
    const err = timeoutError(instance, ms);
    const sleeping = timerKey === undefined ? this.clock.sleep(ms, ctrl.signal) : this.sleep(timerKey, ms, ctrl.signal);
    const timer = sleeping.then(
      () => {
        ctrl.abort(err);
        throw err;
      },
      () => new Promise<never>(() => {}),
    );
    try {
      return await Promise.race([fn(ctrl.signal), timer]);
    } finally {
      parent.removeEventListener('abort', onParent);
      if (!ctrl.signal.aborted) ctrl.abort(SETTLED);
    }
  }

  async runTask(task: TaskNode, rawInput: unknown, scope: Scope): Promise<Outcome> {
    const p = task.pointer;
    const d = task.definition;
    if (scope.signal.aborted) throw scope.signal.reason;
    const now = this.clock.now();
    let startedAt = now;
    // $task; startedAt is formatted only when an expression reads it
    const taskDescriptor: Obj = {
      name: task.name,
      reference: p,
      definition: d,
      input: rawInput,
      get startedAt() {
        return dateTime(startedAt);
      },
    };
    const ctx = this.ctx;
    const baseArgs: ExpressionArguments = { ...this.globals, $context: ctx.context, ...scope.vars, $task: taskDescriptor };
    try {
      if ('if' in d && !truthy(this.valueAt(`${p}/if`, rawInput, baseArgs))) return { output: rawInput };
    } catch (e) {
      throw asWorkflowError(e, p);
    }
    const key = this.nextKey(p, scope.loop);
    const prev = this.state.tasks[key] as TaskRecord | undefined;
    if (prev !== undefined) {
      // replay: what this occurrence did before the run stopped
      if (prev.status === 'completed') {
        if ('context' in prev) ctx.context = prev.context;
        return { output: prev.output, flow: prev.flow, ended: prev.ended };
      }
      if (prev.status === 'faulted' && prev.error) {
        if ('context' in prev) ctx.context = prev.context;
        throw new WorkflowError(prev.error);
      }
      startedAt = prev.startedAt;
    }
    const root = this.prefix === '';
    const rec: TaskRecord = { pointer: p, name: task.name, status: 'running', startedAt, input: rawInput };
    if (scope.loop.length > 0) rec.loop = scope.loop as number[];
    this.state.tasks[key] = rec;
    if (root) this.state.position = scope.loop.length > 0 ? { pointer: p, loop: scope.loop as number[] } : { pointer: p };
    this.transition();
    this.emit('started', task, key, scope.loop, 'input', rawInput);
    const contextBefore = ctx.context;
    const exec = async (signal: AbortSignal): Promise<Outcome> => {
      const inner: Scope = signal === scope.signal ? scope : { ...scope, signal };
      const io = isObject(d.input) ? d.input : EMPTY;
      if (io.schema !== undefined) validateSchema(io.schema, rawInput, `${p}/input/schema`, 'task input');
      const input = io.from !== undefined ? this.valueAt(`${p}/input/from`, rawInput, baseArgs) : rawInput;
      const args: ExpressionArguments = { ...baseArgs, $context: ctx.context, $input: input };
      const out = await executorFor(task)(task, input, this.runtime(p, key, args, inner));
      const oo = isObject(d.output) ? d.output : EMPTY;
      const ex = isObject(d.export) ? d.export : EMPTY;
      if (oo.as === undefined && oo.schema === undefined && ex.as === undefined) return out;
      const outArgs = { ...args, $context: ctx.context, $task: { ...taskDescriptor, output: out.output } };
      const output = oo.as !== undefined ? this.valueAt(`${p}/output/as`, out.output, outArgs) : out.output;
      if (oo.schema !== undefined) validateSchema(oo.schema, output, `${p}/output/schema`, 'task output');
      if (ex.as !== undefined) {
        ctx.context = this.valueAt(`${p}/export/as`, output, { ...outArgs, $output: output });
        if (ex.schema !== undefined) validateSchema(ex.schema, ctx.context, `${p}/export/schema`, 'exported context');
      }
      return { output, flow: out.flow, ended: out.ended };
    };
    try {
      const ms = this.timeoutOf(d.timeout, `${p}/timeout`);
      const res = ms === undefined ? await exec(scope.signal) : await this.withTimeout(ms, p, scope.signal, exec, `${key}/timeout`);
      const then = res.flow ?? (typeof d.then === 'string' ? d.then : 'continue');
      rec.status = 'completed';
      rec.endedAt = this.clock.now();
      rec.output = res.output;
      if (then !== 'continue') rec.flow = then;
      if (res.ended) rec.ended = true;
      if (ctx.context !== contextBefore) rec.context = ctx.context;
      if (root) this.state.outputs[p] = res.output;
      this.transition();
      this.emit('completed', task, key, scope.loop, 'output', res.output);
      return { output: res.output, flow: then, ended: res.ended };
    } catch (e) {
      rec.endedAt = this.clock.now();
      if (ctx.context !== contextBefore) rec.context = ctx.context;
      // a cancelled scope (run cancelled or suspended, fork lost) unwinds as it is; everything else becomes a spec error
      if (scope.signal.aborted && !isWorkflowError(e)) {
        rec.status = 'cancelled';
        this.transition();
        throw e;
      }
      const err = asWorkflowError(e, p);
      rec.status = 'faulted';
      rec.error = err.toJSON();
      this.transition();
      this.emit('faulted', task, key, scope.loop, 'error', rec.error);
      throw err;
    }
  }

  runtime(pointer: string, key: string, args: ExpressionArguments, scope: Scope): TaskRuntime {
    return new Runtime(this, pointer, key, args, scope);
  }
}

/** What one task occurrence gets: a class rather than an object of closures, one allocation per task. */
class Runtime implements TaskRuntime {
  readonly def: WorkflowDefinition;
  readonly options: RunWorkflowOptions;
  readonly clock: Clock;
  readonly runId: string;
  readonly state: RunState;

  constructor(
    private readonly engine: Engine,
    private readonly pointer: string,
    readonly key: string,
    readonly args: ExpressionArguments,
    readonly scope: Scope,
  ) {
    this.def = engine.def;
    this.options = engine.options;
    this.clock = engine.clock;
    this.runId = engine.runId;
    this.state = engine.state;
  }

  get context(): unknown {
    return this.engine.ctx.context;
  }

  set context(value: unknown) {
    this.engine.ctx.context = value;
  }

  value(suffix: string, input: unknown, extra?: ExpressionArguments): unknown {
    return this.engine.valueAt(`${this.pointer}${suffix}`, input, extra ? { ...this.args, ...extra } : this.args);
  }

  valueAt(pointer: string, input: unknown, extra?: ExpressionArguments): unknown {
    return this.engine.valueAt(pointer, input, extra ? { ...this.args, ...extra } : this.args);
  }

  runList(list: TaskList, input: unknown, scope: Scope): Promise<Outcome> {
    return this.engine.runList(list, input, scope);
  }

  runTask(task: TaskNode, input: unknown, scope: Scope): Promise<Outcome> {
    return this.engine.runTask(task, input, scope);
  }

  transition(): void {
    this.engine.transition();
  }

  sleep(timerKey: string, ms: number, signal?: AbortSignal): Promise<void> {
    return this.engine.sleep(timerKey, ms, signal ?? this.scope.signal);
  }

  withTimeout<T>(ms: number, instance: string, fn: (signal: AbortSignal) => Promise<T>, timerKey?: string): Promise<T> {
    return this.engine.withTimeout(ms, instance, this.scope.signal, fn, timerKey);
  }
}
