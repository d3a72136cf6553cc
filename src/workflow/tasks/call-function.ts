// `call: <name>` of a `use.functions` entry: the function is a task definition, run as a task of
// its own (its pointer /use/functions/<name>, its own input/output/export handling and events)
// with the call's `with` as its input — what Synapse does; without `with` it gets the calling
// task's input. The function's flow directive does not leak into the caller's list.
//
// The calls a task runs inside are remembered on its scope (`calls`), so that a request made by
// a function gets an idempotency key of its own per call site, not one shared by every caller.

import { ErrorTypes, WorkflowError } from '../errors.js';
import type { Scope, TaskExecutor } from '../engine/types.js';

/** A scope that knows the function calls it runs inside (outermost first). */
export interface CallScope extends Scope {
  calls?: readonly string[];
}

/** function calls nested deeper than this fault (a function that calls itself stops here) */
export const MAX_CALL_DEPTH = 32;

/** The pointers of the `call: <function>` tasks enclosing this scope, outermost first. */
export function callSites(scope: Scope): readonly string[] {
  return (scope as CallScope).calls ?? [];
}

export const callFunctionTask: TaskExecutor = async (task, input, rt) => {
  const name = String(task.definition.call);
  const fn = rt.def.functions.get(name);
  if (!fn) {
    throw new WorkflowError({ type: ErrorTypes.configuration, status: 400, title: 'Unknown function', detail: `"${name}" is not declared in use.functions.`, instance: `${task.pointer}/call` });
  }
  const calls = [...callSites(rt.scope), task.pointer];
  if (calls.length > MAX_CALL_DEPTH) {
    throw new WorkflowError({
      type: ErrorTypes.runtime,
      status: 508,
      title: 'Functions nested too deep',
      detail: `calling "${name}" would nest ${calls.length} function calls (at most ${MAX_CALL_DEPTH}); does the function call itself?`,
      instance: task.pointer,
    });
  }
  const args = 'with' in task.definition ? rt.value('/with', input) : input;
  const scope: CallScope = { ...rt.scope, calls };
  const result = await rt.runTask(fn, args, scope);
  return { output: result.output, ...(result.ended ? { ended: true } : {}) };
};
