// `for`: runs `do` once per item of `for.in`, each iteration's output feeding the next; the
// item and index are bound as `$<each>` / `$<at>` (default $item / $index). `while` is checked
// before each iteration, on the current data.

import { truthy } from '../engine/executor.js';
import type { TaskExecutor } from '../engine/types.js';

export const forTask: TaskExecutor = async (task, input, rt) => {
  const spec = task.definition.for as { each?: string; in: unknown; at?: string };
  const each = `$${spec.each || 'item'}` as const;
  const at = `$${spec.at || 'index'}` as const;
  const collection = rt.value('/for/in', input);
  const items = Array.isArray(collection) ? collection : collection === null || collection === undefined ? [] : typeof collection === 'object' ? Object.values(collection) : [collection];
  let data = input;
  for (let i = 0; i < items.length; i++) {
    const vars = { ...rt.scope.vars, [each]: items[i], [at]: i };
    if (task.definition.while !== undefined && !truthy(rt.value('/while', data, vars))) break;
    const result = await rt.runList(task.lists['/do'], data, { ...rt.scope, vars, loop: [...rt.scope.loop, i] });
    data = result.output;
    if (result.ended) return { output: data, ended: true };
  }
  return { output: data };
};
