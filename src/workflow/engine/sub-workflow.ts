// `run: workflow` in process: the sub-workflow runs as a nested walk inside its parent's run.
// It shares the parent's state (its task records, timers and progress are keyed under the run
// task's occurrence key, `<key>>…`, so a resumed parent replays into it), clock, options and
// hooks; it has its own $workflow (definition, input, id) and its own $context.

import type { WorkflowDefinition } from '../definition/index.js';
import { ErrorTypes, WorkflowError } from '../errors.js';
import { Engine } from './executor.js';
import { runDefinition, workflowGlobals } from './run-workflow.js';
import type { TaskRuntime } from './types.js';

/** sub-workflows inside sub-workflows, at most (a workflow that runs itself stops here) */
export const MAX_WORKFLOW_DEPTH = 16;

/** Runs `def` with `input` as a child of the task `rt` runs; resolves with its output, rejects with its fault. */
export async function runChildWorkflow(def: WorkflowDefinition, input: unknown, rt: TaskRuntime, instance: string): Promise<unknown> {
  const prefix = `${rt.key}>`;
  const depth = prefix.split('>').length - 1;
  if (depth > MAX_WORKFLOW_DEPTH) {
    throw new WorkflowError({
      type: ErrorTypes.runtime,
      status: 508,
      title: 'Workflows nested too deep',
      detail: `run.workflow would start a sub-workflow ${depth} levels deep (at most ${MAX_WORKFLOW_DEPTH}); does the workflow run itself?`,
      instance,
    });
  }
  // the child's id (its $workflow.id and idempotency keys' prefix): the run's id and this occurrence
  const runId = `${rt.state.runId}>${rt.key}`;
  const startedAt = rt.state.tasks[rt.key]?.startedAt ?? rt.clock.now();
  const engine = new Engine(def, rt.options, rt.clock, runId, rt.state, workflowGlobals(def, rt.options, runId, input, startedAt), prefix);
  return runDefinition(engine, input, rt.scope.signal);
}
