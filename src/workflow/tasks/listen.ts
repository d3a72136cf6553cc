// `listen`: waits on the run's event bus for the events `listen.to` describes (one, all, any —
// `any: []` is any event — with `until` as a condition on what was consumed or as events to wait
// for), reads each as `listen.read` says (data, envelope or raw), runs `foreach.do` on each in
// arrival order, and outputs the consumed events (or the foreach outputs) as an array.
//
// Durable: the progress — the bus position read up to, the matched events not yet processed, the
// outputs so far and the correlation values — lives in state.progress under the occurrence key and
// is persisted (transition) with every accepted event, so a resumed run goes on waiting from where
// it was and never loses an event it had accepted. A bus of another epoch (the daemon restarted)
// is read from its beginning.

import { truthy } from '../engine/executor.js';
import { asWorkflowError } from '../engine/faults.js';
import type { Outcome, TaskExecutor, TaskRuntime } from '../engine/types.js';
import { ErrorTypes, WorkflowError } from '../errors.js';
import { EventConsumption, type ConsumptionState } from '../events/consumption.js';
import type { CloudEvent, PublishedEvent } from '../events/types.js';
import { compileExpression, evaluate, EXPRESSION_ARGUMENTS, type CompiledExpression } from '../expressions/index.js';
import type { WorkflowDefinition } from '../definition/index.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a listen occurrence keeps in state.progress. */
export interface ListenProgress {
  /** the bus instance the position refers to */
  epoch?: string;
  /** every bus event up to this sequence number has been looked at */
  afterSeq: number;
  /** accepted events not processed yet (foreach still to run), oldest first */
  queue: PublishedEvent[];
  /** the task's output so far */
  consumed: unknown[];
  strategy: ConsumptionState;
  /** $context after the last `foreach.export.as` (a resumed run restores it) */
  context?: unknown;
}

export type ReadMode = 'data' | 'envelope' | 'raw';

/** One event as `listen.read` asks: data (the default), the whole envelope, or the data unparsed. */
export function readEvent(event: CloudEvent, read: ReadMode): unknown {
  if (read === 'envelope') return structuredClone(event);
  if (read === 'raw') {
    if (typeof event.data_base64 === 'string') return event.data_base64;
    if (event.data === undefined) return null;
    return typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
  }
  if (event.data !== undefined) return structuredClone(event.data);
  return event.data_base64 ?? null;
}

// $context of the workflow the task runs in (a sub-workflow keeps its own: the runtime exposes it
// as `context` when the engine provides it)
function getContext(rt: TaskRuntime): unknown {
  return 'context' in rt ? (rt as { context: unknown }).context : rt.state.context;
}
function setContext(rt: TaskRuntime, value: unknown): void {
  if ('context' in rt) (rt as { context: unknown }).context = value;
  else rt.state.context = value;
}

// `until` written without ${ } is compiled here: the load-time compiler looks for it under `any`
const untilExpressions = new WeakMap<WorkflowDefinition, Map<string, CompiledExpression>>();

function evaluateUntil(rt: TaskRuntime, pointer: string, consumed: unknown[], vars: Obj): boolean {
  const compiled = rt.def.values.get(pointer);
  if (compiled?.kind === 'expression') return truthy(rt.valueAt(pointer, consumed, { $context: getContext(rt), ...vars }));
  let byPointer = untilExpressions.get(rt.def);
  if (!byPointer) untilExpressions.set(rt.def, (byPointer = new Map()));
  let expr = byPointer.get(pointer);
  if (!expr) {
    const raw = (rt.def.valueAt(pointer) as { value?: unknown }).value;
    try {
      expr = compileExpression(String(raw), pointer, { variables: [...EXPRESSION_ARGUMENTS] });
    } catch (e) {
      throw new WorkflowError({ type: ErrorTypes.expression, status: 400, title: 'Expression evaluation failed', detail: (e as Error).message, instance: pointer });
    }
    byPointer.set(pointer, expr);
  }
  return truthy(evaluate(expr, consumed, { ...rt.args, $context: getContext(rt), ...vars }));
}

export const listenTask: TaskExecutor = async (task, input, rt) => {
  const bus = rt.options.events;
  if (!bus) {
    throw new WorkflowError({
      type: ErrorTypes.runtime,
      status: 501,
      title: 'Not supported',
      detail: 'listen needs an event bus, and this run has none (start it with the `events` option).',
      instance: task.pointer,
    });
  }
  const p = task.pointer;
  const listen = task.definition.listen as Obj;
  const read = (typeof listen.read === 'string' ? listen.read : 'data') as ReadMode;
  const foreach = isObject(task.definition.foreach) ? task.definition.foreach : undefined;
  const expectations = new Map<string, unknown>();
  const consumption = new EventConsumption(listen.to, `${p}/listen/to`, {
    evaluate: (pointer, value) => rt.valueAt(pointer, value),
    isExpression: (pointer) => rt.def.values.get(pointer)?.kind === 'expression',
    expected: (pointer) => {
      if (!expectations.has(pointer)) expectations.set(pointer, rt.valueAt(pointer, input));
      return expectations.get(pointer);
    },
  });

  const key = rt.key ?? [p, ...rt.scope.loop].join(':');
  const progressMap = (rt.state.progress ??= {});
  let progress = progressMap[key] as ListenProgress | undefined;
  if (!progress) {
    progress = { epoch: bus.epoch, afterSeq: bus.seq, queue: [], consumed: [], strategy: consumption.initial() };
    progressMap[key] = progress;
    rt.transition();
  } else {
    // resumed: the replay rebuilt $context up to this task; foreach exports come on top
    if ('context' in progress) setContext(rt, progress.context);
    if (progress.epoch !== bus.epoch) {
      // another bus instance: its numbers start afresh, and all of its events are new to us
      progress.epoch = bus.epoch;
      progress.afterSeq = 0;
    }
  }
  const state = progress;

  const itemVar = `$${typeof foreach?.item === 'string' && foreach.item ? foreach.item : 'item'}` as const;
  const atVar = `$${typeof foreach?.at === 'string' && foreach.at ? foreach.at : 'index'}` as const;

  /** Runs foreach (do, output.as, export.as) on one event; its result joins the output. */
  const iterate = async (item: unknown, index: number): Promise<{ output: unknown; ended?: boolean }> => {
    if (!foreach) return { output: item };
    const vars = { ...rt.scope.vars, [itemVar]: item, [atVar]: index };
    let output = item;
    let ended = false;
    const list = task.lists['/foreach/do'];
    if (list) {
      const r = await rt.runList(list, item, { ...rt.scope, vars, loop: [...rt.scope.loop, index] });
      output = r.output;
      ended = r.ended === true;
    }
    const extra = { ...vars, $context: getContext(rt) };
    if (isObject(foreach.output) && foreach.output.as !== undefined) output = rt.value('/foreach/output/as', output, extra);
    if (isObject(foreach.export) && foreach.export.as !== undefined) {
      state.context = rt.value('/foreach/export/as', output, { ...extra, $output: output });
      setContext(rt, state.context);
    }
    return { output, ended };
  };

  const signal = rt.scope.signal;
  if (signal.aborted) throw signal.reason;

  return new Promise<Outcome>((resolve, reject) => {
    let settled = false;
    let draining = false;
    let unsubscribe: (() => void) | undefined;
    let stopReceiving = false;

    const finish = (error: unknown, outcome?: Outcome) => {
      if (settled) return;
      settled = true;
      unsubscribe?.();
      signal.removeEventListener('abort', onAbort);
      if (error !== undefined) reject(error);
      else resolve(outcome!);
    };
    const onAbort = () => finish(signal.reason);

    const stop = () => {
      stopReceiving = true;
      unsubscribe?.();
    };

    const untilHolds = () => consumption.untilExpression && evaluateUntil(rt, `${p}/listen/to/until`, state.consumed, rt.scope.vars);

    const drain = async () => {
      if (draining || settled) return;
      draining = true;
      try {
        while (!settled && state.queue.length > 0) {
          const head = state.queue[0];
          const r = await iterate(readEvent(head.event, read), state.consumed.length);
          if (settled) return;
          state.consumed.push(r.output);
          state.queue.shift();
          if (r.ended) {
            rt.transition();
            return finish(undefined, { output: state.consumed, ended: true });
          }
          if (untilHolds()) {
            state.strategy.done = true;
            state.queue = [];
            stop();
          }
          rt.transition();
        }
        if (!settled && consumption.received(state.strategy) && state.queue.length === 0) finish(undefined, { output: state.consumed });
      } catch (e) {
        finish(signal.aborted ? signal.reason : asWorkflowError(e, p));
      } finally {
        draining = false;
      }
    };

    const receive = (published: PublishedEvent) => {
      if (settled || stopReceiving) return;
      state.afterSeq = published.seq;
      let offer;
      try {
        offer = consumption.offer(published.event, state.strategy);
      } catch (e) {
        return finish(asWorkflowError(e, p));
      }
      if (offer === 'ignore') return;
      if (offer === 'consume') state.queue.push(published);
      if (consumption.received(state.strategy)) stop();
      rt.transition();
      void drain();
    };

    signal.addEventListener('abort', onAbort, { once: true });
    if (!consumption.received(state.strategy)) {
      const off = bus.subscribe(() => true, receive, state.afterSeq);
      // a bus may deliver while subscribing; honour a stop or a finish that came meanwhile
      if (settled || stopReceiving) off();
      else unsubscribe = off;
    }
    // a resumed listen first processes what it had accepted, and may already be complete
    void drain();
  });
};
