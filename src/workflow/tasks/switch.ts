// `switch`: the first case whose `when` holds (a case without `when` is the default) decides the
// flow; the output is the input unchanged. No match: the task's own `then` applies.

import { truthy } from '../engine/executor.js';
import type { TaskExecutor } from '../engine/types.js';

export const switchTask: TaskExecutor = async (task, input, rt) => {
  const cases = task.definition.switch as Array<Record<string, { when?: unknown; then?: string }>>;
  for (let i = 0; i < cases.length; i++) {
    const [name, c] = Object.entries(cases[i])[0];
    const matches = c.when === undefined || truthy(rt.value(`/switch/${i}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}/when`, input));
    if (matches) return { output: input, flow: c.then ?? 'continue' };
  }
  return { output: input };
};
