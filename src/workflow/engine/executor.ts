// Walks task lists and runs one task with the spec's data flow (dsl.md "Data Flow"): `if` on the
// raw input, `input.from`, the task itself, `output.as`, `export.as` into $context, then the
// flow directive. Also task timeouts. Task types live in ../tasks, one file each.

import type { TaskList, TaskNode, WorkflowDefinition } from '../definition/index.js';
import { evaluateValue, type ExpressionArguments } from '../expressions/index.js';
import { ErrorTypes, WorkflowError, isWorkflowError } from '../errors.js';
import { executorFor } from '../tasks/index.js';
import type { Clock } from './clock.js';
import { durationMs } from './durations.js';
import { asWorkflowError, timeoutError } from './faults.js';
import { validateSchema } from './schema.js';
import type { Outcome, RunState, RunWorkflowOptions, Scope, TaskEvent, TaskRuntime } from './types.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function dateTime(ms: number): { iso8601: string; epoch: { seconds: number; milliseconds: number } } {
  return { iso8601: new Date(ms).toISOString(), epoch: { seconds: Math.floor(ms / 1000), milliseconds: ms } };
}

/** jq truthiness: everything but false and null. */
export function truthy(v: unknown): boolean {
  return v !== false && v !== null && v !== undefined;
}

export class Engine {
  constructor(
    readonly def: WorkflowDefinition,
    readonly options: RunWorkflowOptions,
    readonly clock: Clock,
    readonly runId: string,
    readonly state: RunState,
    /** $workflow, $runtime, $secrets */
    readonly globals: ExpressionArguments,
  ) {}

  transition(): void {
    this.options.onTransition?.(this.state);
  }

  valueAt(pointer: string, input: unknown, args: ExpressionArguments): unknown {
    return evaluateValue(this.def.valueAt(pointer), input, args);
  }

  private emit(event: Omit<TaskEvent, 'time'>, loop: number[]): void {
    if (!this.options.onTask) return;
    this.options.onTask({ ...event, time: new Date(this.clock.now()).toISOString(), ...(loop.length > 0 ? { loop: [...loop] } : {}) });
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

  /** Runs `fn` with a signal that aborts (with a timeout error) after `ms`, and rejects at that moment. */
  async withTimeout<T>(ms: number, instance: string, parent: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ctrl = new AbortController();
    const onParent = () => ctrl.abort(parent.reason);
    if (parent.aborted) throw parent.reason;
    parent.addEventListener('abort', onParent, { once: true });
    const err = timeoutError(instance, ms);
    const timer = this.clock.sleep(ms, ctrl.signal).then(
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
      if (!ctrl.signal.aborted) ctrl.abort(new Error('settled'));
    }
  }

  async runTask(task: TaskNode, rawInput: unknown, scope: Scope): Promise<Outcome> {
    const p = task.pointer;
    const d = task.definition;
    if (scope.signal.aborted) throw scope.signal.reason;
    const taskDescriptor: Obj = { name: task.name, reference: p, definition: d, input: rawInput, startedAt: dateTime(this.clock.now()) };
    const baseArgs: ExpressionArguments = { ...this.globals, $context: this.state.context, ...scope.vars, $task: taskDescriptor };
    try {
      if ('if' in d && !truthy(this.valueAt(`${p}/if`, rawInput, baseArgs))) return { output: rawInput };
    } catch (e) {
      throw asWorkflowError(e, p);
    }
    this.state.position = { pointer: p, ...(scope.loop.length > 0 ? { loop: [...scope.loop] } : {}) };
    this.transition();
    this.emit({ type: 'started', pointer: p, name: task.name, input: rawInput }, scope.loop);
    const exec = async (signal: AbortSignal): Promise<Outcome> => {
      const inner: Scope = signal === scope.signal ? scope : { ...scope, signal };
      const io = (isObject(d.input) ? d.input : {}) as Obj;
      if (io.schema !== undefined) validateSchema(io.schema, rawInput, `${p}/input/schema`, 'task input');
      const input = io.from !== undefined ? this.valueAt(`${p}/input/from`, rawInput, baseArgs) : rawInput;
      const args: ExpressionArguments = { ...baseArgs, $context: this.state.context, $input: input };
      const out = await executorFor(task)(task, input, this.runtime(p, args, inner));
      const oo = (isObject(d.output) ? d.output : {}) as Obj;
      const outArgs = { ...args, $context: this.state.context, $task: { ...taskDescriptor, output: out.output } };
      const output = oo.as !== undefined ? this.valueAt(`${p}/output/as`, out.output, outArgs) : out.output;
      if (oo.schema !== undefined) validateSchema(oo.schema, output, `${p}/output/schema`, 'task output');
      const ex = (isObject(d.export) ? d.export : {}) as Obj;
      if (ex.as !== undefined) {
        this.state.context = this.valueAt(`${p}/export/as`, output, { ...outArgs, $output: output });
        if (ex.schema !== undefined) validateSchema(ex.schema, this.state.context, `${p}/export/schema`, 'exported context');
      }
      return { output, flow: out.flow, ended: out.ended };
    };
    try {
      const ms = this.timeoutOf(d.timeout, `${p}/timeout`);
      const res = ms === undefined ? await exec(scope.signal) : await this.withTimeout(ms, p, scope.signal, exec);
      this.state.outputs[p] = res.output;
      this.transition();
      this.emit({ type: 'completed', pointer: p, name: task.name, output: res.output }, scope.loop);
      const then = res.flow ?? (typeof d.then === 'string' ? d.then : 'continue');
      return { output: res.output, flow: then, ended: res.ended };
    } catch (e) {
      // a cancelled scope (run cancelled, fork lost) unwinds as it is; everything else becomes a spec error
      if (scope.signal.aborted && !isWorkflowError(e)) throw e;
      const err = asWorkflowError(e, p);
      this.emit({ type: 'faulted', pointer: p, name: task.name, error: err.toJSON() }, scope.loop);
      throw err;
    }
  }

  runtime(pointer: string, args: ExpressionArguments, scope: Scope): TaskRuntime {
    return {
      def: this.def,
      options: this.options,
      clock: this.clock,
      runId: this.runId,
      state: this.state,
      scope,
      args,
      value: (suffix, input, extra) => this.valueAt(`${pointer}${suffix}`, input, { ...args, ...extra }),
      valueAt: (pointer, input, extra) => this.valueAt(pointer, input, { ...args, ...extra }),
      runList: (list, input, s) => this.runList(list, input, s),
      runTask: (task, input, s) => this.runTask(task, input, s),
      transition: () => this.transition(),
      withTimeout: (ms, instance, fn) => this.withTimeout(ms, instance, scope.signal, fn),
    };
  }
}
