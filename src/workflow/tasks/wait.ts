// `wait`: pauses for a duration on the run's clock; the output is the input. The deadline is
// durable (keyed by the occurrence): a resumed run waits only what was left.

import { durationMs } from '../engine/durations.js';
import type { TaskExecutor } from '../engine/types.js';

export const waitTask: TaskExecutor = async (task, input, rt) => {
  const ms = durationMs(rt.value('/wait', input), `${task.pointer}/wait`);
  await rt.sleep(rt.key, ms, rt.scope.signal);
  return { output: input };
};
