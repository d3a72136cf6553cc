// Workflow errors as the spec defines them: RFC 7807 problem details with the standard error
// types, serialisable so they persist with a run and cross the API unchanged.

export const ERROR_TYPE_BASE = 'https://serverlessworkflow.io/spec/1.0.0/errors/';

export const ErrorTypes = {
  configuration: `${ERROR_TYPE_BASE}configuration`,
  validation: `${ERROR_TYPE_BASE}validation`,
  expression: `${ERROR_TYPE_BASE}expression`,
  authentication: `${ERROR_TYPE_BASE}authentication`,
  authorization: `${ERROR_TYPE_BASE}authorization`,
  timeout: `${ERROR_TYPE_BASE}timeout`,
  communication: `${ERROR_TYPE_BASE}communication`,
  runtime: `${ERROR_TYPE_BASE}runtime`,
} as const;

/** A Serverless Workflow error object (`error` in dsl-reference.md). */
export interface WorkflowErrorObject {
  type: string;
  status: number;
  /** JSON pointer of the component that raised it, e.g. /do/0/reserveStock */
  instance?: string;
  title?: string;
  detail?: string;
}

/** Thrown inside the engine; `error` is what a `catch` sees and what a faulted run records. */
export class WorkflowError extends Error {
  constructor(readonly error: WorkflowErrorObject) {
    super(error.detail ?? error.title ?? error.type);
    this.name = 'WorkflowError';
  }

  toJSON(): WorkflowErrorObject {
    return { ...this.error };
  }
}

export function isWorkflowError(e: unknown): e is WorkflowError {
  return e instanceof WorkflowError;
}

/** The error a failed runtime expression raises (dsl.md "Runtime expressions": type expression, 400). */
export function expressionError(instance: string, detail: string): WorkflowError {
  return new WorkflowError({
    type: ErrorTypes.expression,
    status: 400,
    title: 'Expression evaluation failed',
    detail,
    instance,
  });
}
