// `raise`: faults with an inline error or a `use.errors` entry; `instance` defaults to the task.

import { ErrorTypes, WorkflowError, type WorkflowErrorObject } from '../errors.js';
import type { TaskExecutor } from '../engine/types.js';

export const raiseTask: TaskExecutor = async (task, input, rt) => {
  const raise = task.definition.raise as { error: unknown };
  const ref = typeof raise.error === 'string' ? raise.error : undefined;
  const value = (ref === undefined ? rt.value('/raise/error', input) : rt.valueAt(`/use/errors/${ref.replace(/~/g, '~0').replace(/\//g, '~1')}`, input)) as Partial<WorkflowErrorObject> | undefined;
  if (!value || typeof value !== 'object') {
    throw new WorkflowError({ type: ErrorTypes.configuration, status: 400, title: 'Unknown error', detail: `raise names the error "${ref}", which use.errors does not define.`, instance: task.pointer });
  }
  const error: WorkflowErrorObject = {
    type: String(value.type),
    status: Number(value.status),
    instance: typeof value.instance === 'string' ? value.instance : task.pointer,
  };
  if (value.title !== undefined && value.title !== null) error.title = String(value.title);
  if (value.detail !== undefined && value.detail !== null) error.detail = String(value.detail);
  throw new WorkflowError(error);
};
