// The `task_type` label of tutti_workflow_task_duration_seconds for every task of a definition,
// by pointer: the task type, with the call kind for calls (`call.http`, `call.grpc`; a call of a
// `use.functions` entry is `call.function`). Computed once per compiled definition.

import type { TaskList, TaskNode, WorkflowDefinition } from '../definition/index.js';

const CALL_KINDS = new Set(['http', 'openapi', 'grpc', 'asyncapi', 'a2a', 'mcp']);

export function taskTypeLabel(task: TaskNode): string {
  if (task.type !== 'call') return task.type;
  const kind = task.definition.call;
  return `call.${typeof kind === 'string' && CALL_KINDS.has(kind) ? kind : 'function'}`;
}

export function taskTypesByPointer(def: WorkflowDefinition): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (list: TaskList) => {
    for (const task of list.tasks) {
      out.set(task.pointer, taskTypeLabel(task));
      for (const inner of Object.values(task.lists)) visit(inner);
    }
  };
  visit(def.do);
  for (const fn of def.functions.values()) {
    out.set(fn.pointer, taskTypeLabel(fn));
    for (const inner of Object.values(fn.lists)) visit(inner);
  }
  return out;
}
