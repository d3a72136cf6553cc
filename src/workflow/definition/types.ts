// The compiled form of a workflow document: what the runner walks. Built once at load time;
// immutable afterwards, and shared by every run of that definition version.

import type { CompiledValue } from '../expressions/index.js';
import type { TaskType } from './task-walk.js';

export interface WorkflowDocumentInfo {
  dsl: string;
  namespace: string;
  name: string;
  version: string;
  title?: string;
  summary?: string;
  tags?: Readonly<Record<string, string>>;
  metadata?: Readonly<Record<string, unknown>>;
}

export interface TaskList {
  /** e.g. /do, /do/1/tryCharge/try, /do/1/tryCharge/catch/do */
  readonly pointer: string;
  readonly tasks: readonly TaskNode[];
  /** position of a task in `tasks` by name (for `then: <task>`) */
  readonly index: ReadonlyMap<string, number>;
}

export interface TaskNode {
  readonly name: string;
  /** e.g. /do/0/reserveStock: the task's `$task.reference` and its errors' `instance` */
  readonly pointer: string;
  readonly type: TaskType;
  /** the task as written (its `with`, `then`, …); expressions are in `WorkflowDefinition.values` */
  readonly definition: Readonly<Record<string, unknown>>;
  /** nested lists, keyed by their pointer relative to the task: /do, /try, /catch/do, /fork/branches, /foreach/do */
  readonly lists: Readonly<Record<string, TaskList>>;
}

export interface WorkflowDefinition {
  readonly document: WorkflowDocumentInfo;
  /** the whole document as parsed: `$workflow.definition` */
  readonly raw: Readonly<Record<string, unknown>>;
  /** the top-level `do` */
  readonly do: TaskList;
  /** reusable functions (`use.functions`), each a task */
  readonly functions: ReadonlyMap<string, TaskNode>;
  /** every field holding at least one runtime expression, by pointer (e.g. /do/0/a/set, /do/0/a/if) */
  readonly values: ReadonlyMap<string, CompiledValue>;
  /** the compiled value of the field at `pointer` (e.g. a task's /set or /with), a literal when it holds no expression */
  valueAt(pointer: string): CompiledValue;
}
