// `fork`: runs every branch concurrently on the same input. Without `compete` the output is the
// array of branch outputs (in branch order) and the first fault cancels the others; with
// `compete` the first branch to complete wins, its output is the fork's, the others are cancelled.

import { SETTLED } from '../engine/faults.js';
import type { TaskExecutor } from '../engine/types.js';

export const forkTask: TaskExecutor = async (task, input, rt) => {
  const compete = (task.definition.fork as { compete?: boolean }).compete === true;
  const ctrl = new AbortController();
  const parent = rt.scope.signal;
  const onParent = () => ctrl.abort(parent.reason);
  if (parent.aborted) throw parent.reason;
  parent.addEventListener('abort', onParent, { once: true });
  const scope = { ...rt.scope, signal: ctrl.signal };
  const runs = task.lists['/fork/branches'].tasks.map((branch) => rt.runTask(branch, input, scope).then((o) => o.output));
  try {
    if (compete) {
      try {
        return { output: await Promise.any(runs) };
      } catch (e) {
        throw e instanceof AggregateError ? e.errors[0] : e;
      }
    }
    return { output: await Promise.all(runs) };
  } finally {
    parent.removeEventListener('abort', onParent);
    if (!ctrl.signal.aborted) ctrl.abort(SETTLED);
  }
};
