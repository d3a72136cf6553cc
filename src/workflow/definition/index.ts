// Workflow definitions: load (YAML/JSON), validate against the official schema and our own
// checks, compile every runtime expression; the result is what the runner walks.
export { loadWorkflow, formatProblem, type LoadWorkflowOptions, type WorkflowProblem } from './load-workflow.js';
export type { AllowRun } from './semantic-checks.js';
export { TASK_TYPES, type TaskType } from './task-walk.js';
export type { TaskList, TaskNode, WorkflowDefinition, WorkflowDocumentInfo } from './types.js';
