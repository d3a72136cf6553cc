// The workflow runner: startRun / runWorkflow walk a loaded definition with the spec's data flow,
// task types from ../tasks, retries, durable timers, timeouts, cancellation and suspension.
// RunState is the plain object a durable runner persists on every transition; startRun with
// `resume: state` continues a run from it by replay.
export { runWorkflow, startRun, RUNTIME_NAME } from './run-workflow.js';
export { runChildWorkflow, MAX_WORKFLOW_DEPTH } from './sub-workflow.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export { durationMs } from './durations.js';
export { sameErrorType, matchesFilter, Cancelled, Suspended } from './faults.js';
export type { RunHandle, RunResult, RunState, RunWorkflowOptions, TaskEvent, TaskRecord, WorkflowErrorJSON } from './types.js';
