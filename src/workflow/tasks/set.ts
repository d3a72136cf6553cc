// `set`: the task's output is its `set` mapping (or expression) evaluated on the task input.

import type { TaskExecutor } from '../engine/types.js';

export const setTask: TaskExecutor = async (_task, input, rt) => ({ output: rt.value('/set', input) });
