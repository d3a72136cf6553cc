// The workflow runner (in memory for now): runWorkflow walks a loaded definition with the spec's
// data flow, task types from ../tasks, retries, timeouts and cancellation. RunState is the plain
// object a durable runner persists on every transition.
export { runWorkflow, RUNTIME_NAME } from './run-workflow.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export { durationMs } from './durations.js';
export { sameErrorType, matchesFilter } from './faults.js';
export type { RunResult, RunState, RunWorkflowOptions, TaskEvent, WorkflowErrorJSON } from './types.js';
