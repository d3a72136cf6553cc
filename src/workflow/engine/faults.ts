// Turning whatever went wrong into the spec's error object, and matching errors against a
// catch's `errors.with` filter.

import { ErrorTypes, WorkflowError, isWorkflowError, type WorkflowErrorObject } from '../errors.js';

/** The ctk and dsl-reference spell standard types `https://serverlessworkflow.io/dsl/errors/types/<x>`; dsl.md `…/spec/1.0.0/errors/<x>`. */
const ALTERNATE_TYPE = /^https:\/\/serverlessworkflow\.io\/(?:dsl\/errors\/types|spec\/1\.0\.0\/errors)\/([a-z]+)$/;

export function sameErrorType(a: string, b: string): boolean {
  if (a === b) return true;
  const ma = ALTERNATE_TYPE.exec(a);
  const mb = ALTERNATE_TYPE.exec(b);
  return !!ma && !!mb && ma[1] === mb[1];
}

/** Any thrown value as a WorkflowError whose `instance` is set (to `pointer` when it had none). */
export function asWorkflowError(e: unknown, pointer: string): WorkflowError {
  if (isWorkflowError(e)) {
    if (e.error.instance) return e;
    return new WorkflowError({ ...e.error, instance: pointer });
  }
  return new WorkflowError({
    type: ErrorTypes.runtime,
    status: 500,
    title: 'Runtime error',
    detail: e instanceof Error ? e.message : String(e),
    instance: pointer,
  });
}

export function timeoutError(instance: string, ms: number): WorkflowError {
  return new WorkflowError({ type: ErrorTypes.timeout, status: 408, title: 'Timeout', detail: `timed out after ${ms} ms`, instance });
}

export function notSupported(instance: string, what: string): WorkflowError {
  return new WorkflowError({
    type: ErrorTypes.runtime,
    status: 501,
    title: 'Not supported',
    detail: `not supported yet: ${what} (this engine does not run it yet; see docs/workflows.md "What runs").`,
    instance,
  });
}

/** Whether `error` matches every property given in a catch's `errors.with`. */
export function matchesFilter(error: WorkflowErrorObject, filter: unknown): boolean {
  if (typeof filter !== 'object' || filter === null) return true;
  for (const [key, want] of Object.entries(filter as Record<string, unknown>)) {
    const have = (error as unknown as Record<string, unknown>)[key];
    if (key === 'type') {
      if (typeof have !== 'string' || typeof want !== 'string' || !sameErrorType(have, want)) return false;
    } else if (key === 'status') {
      if (Number(have) !== Number(want)) return false;
    } else if (have !== want) {
      return false;
    }
  }
  return true;
}

/** The abort reason used when the caller's signal cancels a run. */
export class Cancelled extends Error {
  constructor() {
    super('the run was cancelled');
    this.name = 'Cancelled';
  }
}

/** The abort reason that tells what is still listening that its scope is over (the work
 *  settled): one shared instance, no stack captured per task or run. */
export const SETTLED: Error = Object.freeze(Object.assign(new Error('settled'), { name: 'Settled' }));

/** The abort reason used when a run is suspended: it stops where it is and can be resumed. */
export class Suspended extends Error {
  constructor() {
    super('the run was suspended');
    this.name = 'Suspended';
  }
}
