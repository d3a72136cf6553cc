// The engine's contracts: run options, task events, the run state (a plain serialisable object,
// so the durable runner can persist it on every transition) and what a task implementation gets.

import type { TaskList, TaskNode, WorkflowDefinition } from '../definition/index.js';
import type { ExpressionArguments } from '../expressions/index.js';
import type { WorkflowErrorObject } from '../errors.js';
import type { Clock } from './clock.js';

export type WorkflowErrorJSON = WorkflowErrorObject;

export interface TaskEvent {
  type: 'started' | 'completed' | 'faulted';
  /** e.g. /do/0/tryGetPet/try/0/getPet */
  pointer: string;
  name: string;
  /** ISO 8601 */
  time: string;
  /** indices of the enclosing `for` loops, outermost first (absent outside loops) */
  loop?: number[];
  input?: unknown;
  output?: unknown;
  error?: WorkflowErrorJSON;
}

export interface RunWorkflowOptions {
  input?: unknown;
  /** `$secret` / `$secrets` */
  secrets?: Record<string, unknown>;
  /** defaults to the global fetch */
  fetch?: typeof fetch;
  /** base URL (e.g. http://127.0.0.1:8081) for `http://<service>/…` endpoints; undefined = leave the URL as written */
  resolveService?: (host: string) => string | undefined;
  signal?: AbortSignal;
  onTask?: (event: TaskEvent) => void;
  /** called after every transition with the current state (the durability hook) */
  onTransition?: (state: Readonly<RunState>) => void;
  /** defaults to a random UUID; part of every idempotency key */
  runId?: string;
  /** defaults to the system clock; tests pass a ManualClock */
  clock?: Clock;
  /** jitter source in [0, 1); defaults to Math.random */
  random?: () => number;
}

export interface RunResult {
  status: 'completed' | 'faulted' | 'cancelled';
  output?: unknown;
  error?: WorkflowErrorJSON;
}

/** Everything a run has decided so far; JSON-serialisable. */
export interface RunState {
  runId: string;
  status: 'running' | RunResult['status'];
  /** the workflow input after `input.from` */
  input: unknown;
  context: unknown;
  /** the task last started (with its loop indices) */
  position?: { pointer: string; loop?: number[] };
  /** completed tasks' transformed outputs by pointer (the last one per pointer) */
  outputs: Record<string, unknown>;
  /** retry attempts made by each `try` (by pointer + loop indices) */
  attempts: Record<string, number>;
  output?: unknown;
  error?: WorkflowErrorJSON;
}

export type FlowDirective = 'continue' | 'exit' | 'end' | string;

/** What a task (or a list) produced, and where the flow goes next. */
export interface Outcome {
  output: unknown;
  /** the task's own choice of flow (switch); else its `then` applies */
  flow?: FlowDirective;
  /** `then: end` was reached somewhere inside: the whole workflow ends */
  ended?: boolean;
}

/** Variables in scope (loop and catch variables) plus the signal that cancels this scope. */
export interface Scope {
  vars: Record<`$${string}`, unknown>;
  loop: number[];
  signal: AbortSignal;
}

/** What a task implementation receives besides its node and input. */
export interface TaskRuntime {
  readonly def: WorkflowDefinition;
  readonly options: RunWorkflowOptions;
  readonly clock: Clock;
  readonly runId: string;
  readonly state: RunState;
  readonly scope: Scope;
  /** the arguments for expressions of the task definition ($context, $input, $task, …, loop vars) */
  readonly args: ExpressionArguments;
  /** evaluates the field at `task.pointer + suffix` (e.g. '/set') on `input` with `args` */
  value(suffix: string, input: unknown, extra?: ExpressionArguments): unknown;
  /** evaluates the field at an absolute pointer (e.g. /use/errors/notFound) */
  valueAt(pointer: string, input: unknown, extra?: ExpressionArguments): unknown;
  runList(list: TaskList, input: unknown, scope: Scope): Promise<Outcome>;
  runTask(task: TaskNode, input: unknown, scope: Scope): Promise<Outcome>;
  transition(): void;
  /** runs `fn` with a signal that aborts after `ms`, faulting with a timeout error naming `instance` */
  withTimeout<T>(ms: number, instance: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

export type TaskExecutor = (task: TaskNode, input: unknown, rt: TaskRuntime) => Promise<Outcome>;
