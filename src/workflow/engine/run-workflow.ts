// Runs one workflow to its end, in memory: workflow input (schema, `input.from`), the top-level
// `do`, workflow `output.as`/schema, the workflow `timeout` and cancellation by the caller's
// signal. Everything decided along the way is in a plain RunState (see onTransition).

import { randomUUID } from 'node:crypto';
import type { WorkflowDefinition } from '../definition/index.js';
import { isWorkflowError } from '../errors.js';
import { systemClock } from './clock.js';
import { Engine, dateTime } from './executor.js';
import { Cancelled, asWorkflowError } from './faults.js';
import { validateSchema } from './schema.js';
import type { RunResult, RunState, RunWorkflowOptions, Scope } from './types.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const RUNTIME_NAME = 'tutti';

export async function runWorkflow(def: WorkflowDefinition, options: RunWorkflowOptions = {}): Promise<RunResult> {
  const clock = options.clock ?? systemClock;
  const runId = options.runId ?? randomUUID();
  const rawInput = options.input ?? {};
  const state: RunState = { runId, status: 'running', input: rawInput, context: {}, outputs: {}, attempts: {} };
  const globals = {
    $secrets: options.secrets ?? {},
    $workflow: { id: runId, definition: def.raw, input: rawInput, startedAt: dateTime(clock.now()) },
    $runtime: { name: RUNTIME_NAME, version: '1', metadata: {} },
  };
  const engine = new Engine(def, options, clock, runId, state, globals);
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

  const body = async (signal: AbortSignal) => {
    const scope: Scope = { vars: {}, loop: [], signal };
    const io = (isObject(def.raw.input) ? def.raw.input : {}) as Obj;
    if (io.schema !== undefined) validateSchema(io.schema, rawInput, '/input/schema', 'workflow input');
    const input = io.from !== undefined ? engine.valueAt('/input/from', rawInput, { ...globals, $context: {} }) : rawInput;
    state.input = input;
    engine.transition();
    const result = await engine.runList(def.do, input, scope);
    const oo = (isObject(def.raw.output) ? def.raw.output : {}) as Obj;
    const output = oo.as !== undefined ? engine.valueAt('/output/as', result.output, { ...globals, $context: state.context }) : result.output;
    if (oo.schema !== undefined) validateSchema(oo.schema, output, '/output/schema', 'workflow output');
    return output;
  };

  try {
    const ms = engine.timeoutOf(def.raw.timeout, '/timeout');
    const output = ms === undefined ? await body(root.signal) : await engine.withTimeout(ms, '/', root.signal, body);
    return finish({ status: 'completed', output });
  } catch (e) {
    if (options.signal?.aborted && !isWorkflowError(e)) return finish({ status: 'cancelled' });
    if (e instanceof Cancelled) return finish({ status: 'cancelled' });
    return finish({ status: 'faulted', error: asWorkflowError(e, '/').toJSON() });
  } finally {
    options.signal?.removeEventListener('abort', onCancel);
    if (!root.signal.aborted) root.abort(new Cancelled());
  }
}
