// `emit`: builds the CloudEvent (id, source, type, time, specversion, data, …) and, until the
// event bus exists, returns it as the task output.

import { randomUUID } from 'node:crypto';
import type { TaskExecutor } from '../engine/types.js';

export const emitTask: TaskExecutor = async (_task, input, rt) => {
  const attrs = (rt.value('/emit/event/with', input) ?? {}) as Record<string, unknown>;
  const event: Record<string, unknown> = {
    id: randomUUID(),
    specversion: '1.0',
    time: new Date(rt.clock.now()).toISOString(),
    ...attrs,
  };
  if (event.data !== undefined && event.datacontenttype === undefined) event.datacontenttype = 'application/json';
  return { output: event };
};
