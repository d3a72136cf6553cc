// `do`: runs its tasks in order; the output is the last task's output.

import type { TaskExecutor } from '../engine/types.js';

export const doTask: TaskExecutor = async (task, input, rt) => rt.runList(task.lists['/do'], input, rt.scope);
