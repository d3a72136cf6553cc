// The engine's contracts: run options, task events, the run state (a plain serialisable object,
// so the durable runner can persist it on every transition) and what a task implementation gets.

import type { TaskList, TaskNode, WorkflowDefinition } from '../definition/index.js';
import type { ExpressionArguments } from '../expressions/index.js';
import type { WorkflowErrorObject } from '../errors.js';
import type { Clock } from './clock.js';
import type { EventBus } from '../events/types.js';

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
  /** the occurrence's key in RunState.tasks (a sub-workflow's tasks: `<run task key>><key>`) */
  key?: string;
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
  /** Resume this persisted state instead of starting afresh: completed task occurrences are
   *  replayed from `state.tasks` (not run again), timers keep their deadlines from
   *  `state.timers`, everything else runs as it would have. The runId is the state's. */
  resume?: RunState;
  /** the bus `emit` publishes into and `listen` waits on; without one, emit only returns the
   *  event and listen faults (not supported without a bus) */
  events?: EventBus;
  /** `run: workflow`: finds a deployed definition (version undefined = latest); undefined when unknown */
  loadWorkflow?: (name: string, version: string | undefined, namespace: string | undefined) => WorkflowDefinition | undefined;
  /** `run: shell` / `run: script` are refused at run time too unless allowed here */
  allow?: { shell?: boolean; script?: boolean };
  /** working directory and environment for run: shell/script (defaults: process.cwd(), process.env) */
  cwd?: string;
  env?: Record<string, string | undefined>;
}

export interface RunResult {
  status: 'completed' | 'faulted' | 'cancelled' | 'suspended';
  output?: unknown;
  error?: WorkflowErrorJSON;
}

/** A run in progress, as startRun returns it. */
export interface RunHandle {
  readonly runId: string;
  /** the live state (the same object onTransition receives) */
  readonly state: Readonly<RunState>;
  /** settles once the run completes, faults, is cancelled or suspended; never rejects */
  readonly result: Promise<RunResult>;
  /** stops the run for good: status cancelled (what is in flight is aborted) */
  cancel(): void;
  /** stops the run where it is, status suspended; resuming it = startRun with `resume: state` */
  suspend(): void;
}

/** One execution of one task, for inspection and for replay. */
export interface TaskRecord {
  pointer: string;
  name: string;
  /** indices of enclosing `for` loops (absent outside loops) */
  loop?: number[];
  /** cancelled: interrupted (run cancelled or suspended, a sibling fork branch won or faulted);
   *  a resumed run runs a cancelled or running occurrence again */
  status: 'running' | 'completed' | 'faulted' | 'cancelled';
  /** ms since epoch (the first start: kept when a resumed run starts the occurrence again) */
  startedAt: number;
  endedAt?: number;
  input?: unknown;
  /** the task's transformed output (after output.as) */
  output?: unknown;
  /** the flow directive it resolved to (`then`, or a switch's choice); absent: continue */
  flow?: FlowDirective;
  /** `then: end` was reached inside it */
  ended?: boolean;
  /** $context after the task, when the task changed it (restored on replay) */
  context?: unknown;
  error?: WorkflowErrorJSON;
  /** retries made (try tasks) */
  retries?: number;
}

/** Everything a run has decided so far; JSON-serialisable. */
export interface RunState {
  runId: string;
  status: 'running' | RunResult['status'];
  /** the workflow input after `input.from` */
  input: unknown;
  /** the workflow input as given ($workflow.input), kept once `input.from` has transformed it
   *  (absent: `input` is the raw input) */
  rawInput?: unknown;
  context: unknown;
  /** the task last started (with its loop indices) */
  position?: { pointer: string; loop?: number[] };
  /** completed tasks' transformed outputs by pointer (the last one per pointer) */
  outputs: Record<string, unknown>;
  /** retry attempts made by each `try` (by pointer + loop indices) */
  attempts: Record<string, number>;
  output?: unknown;
  error?: WorkflowErrorJSON;
  /** ms since epoch ($workflow.startedAt, kept across a resume) */
  startedAt: number;
  /** every task occurrence started so far, by occurrence key
   *  `<pointer>[:<loop index>…]#<n>` (n = how many times that pointer+loop started before, from 0);
   *  completed ones are what a resumed run replays */
  tasks: Record<string, TaskRecord>;
  /** durable timers by key (wait: the occurrence key; retry delay: `<key>/retry/<n>`; timeouts:
   *  `<key>/timeout`, workflow: `/timeout`) → deadline, ms since epoch */
  timers: Record<string, number>;
  /** a task's own durable progress by occurrence key (e.g. the events a listen has consumed so far) */
  progress: Record<string, unknown>;
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
  /** this occurrence's key in state.tasks / timers / progress */
  readonly key: string;
  /** $context of the workflow the task runs in, to read and replace (a sub-workflow has its
   *  own, not state.context); the engine always provides it */
  context?: unknown;
  /** sleeps until a durable deadline: the first call for `timerKey` stores now+ms in
   *  state.timers, a resumed run finds it there and sleeps only what is left */
  sleep(timerKey: string, ms: number, signal?: AbortSignal): Promise<void>;
  /** runs `fn` with a signal that aborts after `ms`, faulting with a timeout error naming
   *  `instance`; with a `timerKey` the deadline is durable (see sleep), else it restarts on resume */
  withTimeout<T>(ms: number, instance: string, fn: (signal: AbortSignal) => Promise<T>, timerKey?: string): Promise<T>;
}

export type TaskExecutor = (task: TaskNode, input: unknown, rt: TaskRuntime) => Promise<Outcome>;
