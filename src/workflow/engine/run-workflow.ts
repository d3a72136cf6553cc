// Runs one workflow to its end: workflow input (schema, `input.from`), the top-level `do`,
// workflow `output.as`/schema, the workflow `timeout`, cancellation and suspension. Everything
// decided along the way is in a plain RunState (see onTransition); startRun({ resume: state })
// continues a run from such a state by replay (see executor.ts).

import { randomUUID } from 'node:crypto';
import type { WorkflowDefinition } from '../definition/index.js';
import type { ExpressionArguments } from '../expressions/index.js';
import { systemClock } from './clock.js';
import { Engine, dateTime } from './executor.js';
import { Cancelled, SETTLED, Suspended, asWorkflowError } from './faults.js';
import { validateSchema } from './schema.js';
import type { RunHandle, RunResult, RunState, RunWorkflowOptions, Scope } from './types.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const RUNTIME_NAME = 'tutti';

/** $secrets, $workflow and $runtime of one workflow (a sub-workflow has its own $workflow). */
export function workflowGlobals(def: WorkflowDefinition, options: RunWorkflowOptions, runId: string, rawInput: unknown, startedAt: number): ExpressionArguments {
  return {
    $secrets: options.secrets ?? {},
    $workflow: { id: runId, definition: def.raw, input: rawInput, startedAt: dateTime(startedAt) },
    $runtime: { name: RUNTIME_NAME, version: '1', metadata: {} },
  };
}

/**
 * A workflow's body under its `timeout`: input schema and `input.from` (skipped when
 * `transformed` holds the input they gave before a resume), the top-level `do`, `output.as` and
 * output schema. Resolves with the workflow output; `onInput` sees the transformed input.
 */
export async function runDefinition(
  engine: Engine,
  rawInput: unknown,
  signal: AbortSignal,
  transformed?: { input: unknown },
  onInput?: (input: unknown) => void,
): Promise<unknown> {
  const def = engine.def;
  const body = async (s: AbortSignal) => {
    const scope: Scope = { vars: {}, loop: [], signal: s };
    let input: unknown;
    if (transformed) input = transformed.input;
    else {
      const io = (isObject(def.raw.input) ? def.raw.input : {}) as Obj;
      if (io.schema !== undefined) validateSchema(io.schema, rawInput, '/input/schema', 'workflow input');
      input = io.from !== undefined ? engine.valueAt('/input/from', rawInput, { ...engine.globals, $context: engine.ctx.context }) : rawInput;
      onInput?.(input);
    }
    const result = await engine.runList(def.do, input, scope);
    const oo = (isObject(def.raw.output) ? def.raw.output : {}) as Obj;
    const output = oo.as !== undefined ? engine.valueAt('/output/as', result.output, { ...engine.globals, $context: engine.ctx.context }) : result.output;
    if (oo.schema !== undefined) validateSchema(oo.schema, output, '/output/schema', 'workflow output');
    return output;
  };
  const ms = engine.timeoutOf(def.raw.timeout, '/timeout');
  return ms === undefined ? body(signal) : engine.withTimeout(ms, '/', signal, body, `${engine.prefix}/timeout`);
}

/** A state as persisted by an earlier version or process, ready to run again. */
function resumedState(saved: RunState, now: number): RunState {
  const state = structuredClone(saved);
  state.status = 'running';
  delete state.output;
  delete state.error;
  // replay rebuilds $context from the task records, in the order the tasks completed
  state.context = {};
  state.outputs ??= {};
  state.attempts ??= {};
  state.tasks ??= {};
  state.timers ??= {};
  state.progress ??= {};
  state.startedAt ??= now;
  return state;
}

/** Starts a run (or resumes one: `options.resume`); the handle can cancel or suspend it. */
export function startRun(def: WorkflowDefinition, options: RunWorkflowOptions = {}): RunHandle {
  const clock = options.clock ?? systemClock;
  const now = clock.now();
  const saved = options.resume;
  const state: RunState = saved
    ? resumedState(saved, now)
    : { runId: options.runId ?? randomUUID(), status: 'running', input: options.input ?? {}, context: {}, outputs: {}, attempts: {}, startedAt: now, tasks: {}, timers: {}, progress: {} };
  const runId = state.runId;
  const hasFrom = isObject(def.raw.input) && def.raw.input.from !== undefined;
  // a resumed run whose input was transformed already keeps it (and does not validate it again)
  const rawInput = 'rawInput' in state ? state.rawInput : state.input;
  const transformed = saved && (!hasFrom || 'rawInput' in state) ? { input: state.input } : undefined;
  const engine = new Engine(def, options, clock, runId, state, workflowGlobals(def, options, runId, rawInput, state.startedAt));
  const root = new AbortController();
  const onCancel = () => root.abort(new Cancelled());
  if (options.signal?.aborted) onCancel();
  options.signal?.addEventListener('abort', onCancel, { once: true });

  const finish = (result: RunResult): RunResult => {
    state.status = result.status;
    if ('output' in result) state.output = result.output;
    if (result.error) state.error = result.error;
    engine.transition();
    return result;
  };
  const onInput = (input: unknown) => {
    if (hasFrom) state.rawInput = rawInput;
    state.input = input;
    engine.transition();
  };

  const result = (async (): Promise<RunResult> => {
    try {
      const output = await runDefinition(engine, rawInput, root.signal, transformed, onInput);
      return finish({ status: 'completed', output });
    } catch (e) {
      // once asked to stop, the run stops as asked, whatever error the unwinding produced
      const reason: unknown = root.signal.aborted ? root.signal.reason : undefined;
      if (reason instanceof Suspended) return finish({ status: 'suspended' });
      if (reason instanceof Cancelled) return finish({ status: 'cancelled' });
      return finish({ status: 'faulted', error: asWorkflowError(e, '/').toJSON() });
    } finally {
      options.signal?.removeEventListener('abort', onCancel);
      if (!root.signal.aborted) root.abort(SETTLED);
    }
  })();

  return {
    runId,
    state,
    result,
    cancel: () => {
      if (!root.signal.aborted) root.abort(new Cancelled());
    },
    suspend: () => {
      if (!root.signal.aborted) root.abort(new Suspended());
    },
  };
}

export function runWorkflow(def: WorkflowDefinition, options: RunWorkflowOptions = {}): Promise<RunResult> {
  return startRun(def, options).result;
}
