// `wait`: pauses for a duration on the run's clock; the output is the input.

import { durationMs } from '../engine/durations.js';
import type { TaskExecutor } from '../engine/types.js';

export const waitTask: TaskExecutor = async (task, input, rt) => {
  const ms = durationMs(rt.value('/wait', input), `${task.pointer}/wait`);
  await rt.clock.sleep(ms, rt.scope.signal);
  return { output: input };
};
