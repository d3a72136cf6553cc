// Where the tasks of a document are: every task list (`do`, `try`, `catch.do`, `fork.branches`,
// `foreach.do`) and every reusable function under `use.functions`, with their JSON pointers,
// and which schema branch a task belongs to, judged from its own keys.

import { workflowSchema } from './workflow-schema.js';
import { joinPointer } from './source.js';

export const TASK_TYPES = ['call', 'do', 'emit', 'for', 'fork', 'listen', 'raise', 'run', 'set', 'switch', 'try', 'wait'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export interface TaskRef {
  name: string;
  pointer: string;
  definition: Record<string, unknown>;
  /** the list holding it, absent for a `use.functions` entry */
  list?: { pointer: string; index: number };
}

export interface TaskListRef {
  /** pointer relative to its task (e.g. /catch/do), or absolute for the document's /do */
  pointer: string;
  items: unknown[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The task's type from its keys: `for` and `try` carry a `do`/`catch` too. */
export function taskTypeOf(def: Record<string, unknown>): TaskType | { problem: string } {
  if ('for' in def) return 'for';
  if ('try' in def) return 'try';
  const found = TASK_TYPES.filter((t) => t in def);
  if (found.length === 1) return found[0];
  if (found.length === 0) return { problem: `a task needs exactly one of ${TASK_TYPES.join(', ')}; found none` };
  return { problem: `a task needs exactly one of ${TASK_TYPES.join(', ')}; found ${found.join(' and ')}` };
}

const CALL_BRANCHES: Array<{ kind: string | undefined; fragment: string }> = (() => {
  const defs = workflowSchema.$defs as Record<string, { oneOf: Array<{ allOf?: Array<{ properties?: { call?: { const?: string } } }> }> }>;
  return defs.callTask.oneOf.map((branch, i) => ({
    kind: branch.allOf?.[1]?.properties?.call?.const,
    fragment: `/$defs/callTask/oneOf/${i}`,
  }));
})();

/** The schema fragment a task is validated against alone. */
export function schemaBranchOf(def: unknown): string | { problem: string } {
  if (!isObject(def)) return '/$defs/task';
  const type = taskTypeOf(def);
  if (typeof type !== 'string') return type;
  if (type !== 'call') return `/$defs/${type}Task`;
  const kind = def.call;
  if (typeof kind !== 'string') return '/$defs/callTask';
  const branch = CALL_BRANCHES.find((b) => b.kind === kind) ?? CALL_BRANCHES.find((b) => b.kind === undefined)!;
  return branch.fragment;
}

/** The task lists directly inside one task, with pointers relative to the task. */
export function taskListsOf(def: unknown): TaskListRef[] {
  if (!isObject(def)) return [];
  const out: TaskListRef[] = [];
  const push = (pointer: string, items: unknown) => {
    if (Array.isArray(items)) out.push({ pointer, items });
  };
  const type = taskTypeOf(def);
  if (type === 'do' || type === 'for') push('/do', def.do);
  if (type === 'try') {
    push('/try', def.try);
    if (isObject(def.catch)) push('/catch/do', def.catch.do);
  }
  if (type === 'fork' && isObject(def.fork)) push('/fork/branches', def.fork.branches);
  if (type === 'listen' && isObject(def.foreach)) push('/foreach/do', def.foreach.do);
  return out;
}

/** Every task of a document, depth-first in document order. */
export function walkTasks(doc: unknown): TaskRef[] {
  const out: TaskRef[] = [];
  if (!isObject(doc)) return out;
  const visitList = (pointer: string, items: unknown[]) => {
    items.forEach((item, index) => {
      if (!isObject(item)) return;
      const entries = Object.entries(item);
      if (entries.length !== 1) return; // the schema reports it
      const [name, definition] = entries[0];
      if (!isObject(definition)) return;
      visitTask({ name, pointer: joinPointer(pointer, index, name), definition, list: { pointer, index } });
    });
  };
  const visitTask = (task: TaskRef) => {
    out.push(task);
    for (const list of taskListsOf(task.definition)) visitList(task.pointer + list.pointer, list.items);
  };
  if (isObject(doc.use) && isObject(doc.use.functions)) {
    for (const [name, definition] of Object.entries(doc.use.functions)) {
      if (isObject(definition)) visitTask({ name, pointer: joinPointer('/use/functions', name), definition });
    }
  }
  if (Array.isArray(doc.do)) visitList('/do', doc.do);
  return out;
}
