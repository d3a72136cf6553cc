// `emit`: builds the CloudEvent from `emit.event.with` (plus id, specversion, time and, when there
// is data, datacontenttype application/json), publishes it on the run's event bus when there is
// one, and outputs the event. The id is derived from the run and the task occurrence, so an emit
// that runs again after a resume publishes the same event (the bus drops the duplicate) rather
// than a second one.

import { createHash, randomUUID } from 'node:crypto';
import { isTuttiError } from '../../core/errors.js';
import { ErrorTypes, WorkflowError } from '../errors.js';
import type { TaskExecutor } from '../engine/types.js';
import type { CloudEvent } from '../events/types.js';

/** A UUID (version 8, name-based) from the run id and the task occurrence key. */
export function occurrenceUuid(runId: string, key: string): string {
  const b = createHash('sha256').update(`${runId}\u0000${key}`).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x80;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const emitTask: TaskExecutor = async (task, input, rt) => {
  const attrs = (rt.value('/emit/event/with', input) ?? {}) as Record<string, unknown>;
  const event: Record<string, unknown> = {
    id: rt.key ? occurrenceUuid(rt.runId, rt.key) : randomUUID(),
    specversion: '1.0',
    time: new Date(rt.clock.now()).toISOString(),
    ...attrs,
  };
  if (event.data !== undefined && event.datacontenttype === undefined) event.datacontenttype = 'application/json';
  for (const name of ['source', 'type'] as const) {
    if (typeof event[name] !== 'string' || event[name] === '') {
      throw new WorkflowError({
        type: ErrorTypes.validation,
        status: 400,
        title: 'Invalid event',
        detail: `the event to emit needs a "${name}" (a non-empty string; got ${JSON.stringify(event[name] ?? null)}).`,
        instance: `${task.pointer}/emit/event/with`,
      });
    }
  }
  const bus = rt.options.events;
  if (!bus) return { output: event };
  try {
    const published = await bus.publish(event as CloudEvent);
    // the bus keeps a frozen copy; the run gets its own
    return { output: structuredClone(published.event) as unknown };
  } catch (e) {
    if (!isTuttiError(e)) throw e;
    throw new WorkflowError({ type: ErrorTypes.validation, status: 400, title: 'Invalid event', detail: e.message, instance: `${task.pointer}/emit/event/with` });
  }
};
