// `try`: runs its tasks; an error matching the catch (`errors.with`, `when`, `exceptWhen`) is
// retried per `retry` (inline or a `use.retries` name) and, once retries are exhausted, the try
// faults with the last error (the reference runtimes' reading); without `retry` the catch's
// `do` runs with the error bound as `$<as>` (default $error).
//
// Resume: the retries decided so far and the time of the first attempt are kept in
// state.progress[key]. A resumed run replays the earlier attempts (their faults come back from
// the records), does not decide those retries again (so limit.duration is measured from the
// first attempt, not the resume) nor wait their delays again, unless one was still pending: its
// durable timer keeps its deadline.

import { isWorkflowError } from '../errors.js';
import { truthy } from '../engine/executor.js';
import { durationMs } from '../engine/durations.js';
import { matchesFilter } from '../engine/faults.js';
import type { TaskExecutor, TaskRuntime } from '../engine/types.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

function policyOf(rt: TaskRuntime, pointer: string, retry: unknown): { policy: RetryPolicy; at: string } | undefined {
  if (typeof retry === 'string') {
    const use = isObject(rt.def.raw.use) && isObject(rt.def.raw.use.retries) ? rt.def.raw.use.retries : {};
    return isObject(use[retry]) ? { policy: use[retry] as RetryPolicy, at: `/use/retries/${escape(retry)}` } : undefined;
  }
  return isObject(retry) ? { policy: retry as RetryPolicy, at: `${pointer}/catch/retry` } : undefined;
}

/** What a retrying try keeps in state.progress[key]. */
interface TryProgress {
  /** ms since epoch, when the first attempt started */
  firstStarted: number;
  /** retries decided so far */
  retries: number;
}

export const tryTask: TaskExecutor = async (task, input, rt) => {
  const c = (isObject(task.definition.catch) ? task.definition.catch : {}) as Obj;
  const as = `$${typeof c.as === 'string' && c.as ? c.as : 'error'}` as const;
  // state.attempts is by pointer + loop indices (the occurrence key without its #n)
  const attemptsKey = rt.key.slice(0, rt.key.lastIndexOf('#'));
  const retry = c.retry === undefined ? undefined : policyOf(rt, task.pointer, c.retry);
  const progress = retry ? ((rt.state.progress[rt.key] ??= { firstStarted: rt.clock.now(), retries: 0 }) as TryProgress) : undefined;
  let retries = 0;
  for (;;) {
    try {
      const attempt = (signal: AbortSignal) => rt.runList(task.lists['/try'], input, { ...rt.scope, signal });
      const perAttempt = retry?.policy.limit?.attempt?.duration;
      return perAttempt === undefined
        ? await attempt(rt.scope.signal)
        : await rt.withTimeout(durationMs(perAttempt, `${retry!.at}/limit/attempt/duration`), task.pointer, attempt, `${rt.key}/attempt/${retries}`);
    } catch (e) {
      // cancellation, or a timeout of this task or an enclosing one: not ours to catch
      if (!isWorkflowError(e) || rt.scope.signal.aborted) throw e;
      const error = e.toJSON();
      const vars = { ...rt.scope.vars, [as]: error };
      const caught = isObject(c.errors) && c.errors.with !== undefined ? matchesFilter(error, rt.value('/catch/errors/with', input, vars)) : true;
      if (!caught) throw e;
      if (c.when !== undefined && !truthy(rt.value('/catch/when', error, vars))) throw e;
      if (c.exceptWhen !== undefined && truthy(rt.value('/catch/exceptWhen', error, vars))) throw e;
      if (retry && progress) {
        const { policy, at } = retry;
        if (policy.when !== undefined && !truthy(rt.valueAt(`${at}/when`, error, vars))) throw e;
        if (policy.exceptWhen !== undefined && truthy(rt.valueAt(`${at}/exceptWhen`, error, vars))) throw e;
        const count = policy.limit?.attempt?.count;
        if (typeof count === 'number' && retries >= count) throw e;
        retries++;
        const timerKey = `${rt.key}/retry/${retries}`;
        let delay = 0; // a retry decided before a resume: only what is left of its delay (its timer)
        if (retries > progress.retries) {
          delay = retryDelayMs(policy, retries, rt.options.random ?? Math.random, at);
          const total = policy.limit?.duration;
          if (total !== undefined && rt.clock.now() + delay - progress.firstStarted > durationMs(total, `${at}/limit/duration`)) throw e;
          progress.retries = retries;
          rt.state.attempts[attemptsKey] = retries;
        }
        const rec = rt.state.tasks[rt.key];
        if (rec) rec.retries = retries;
        // stores the deadline (and makes a transition) for a new delay; finds it after a resume
        if (delay > 0 || timerKey in rt.state.timers) await rt.sleep(timerKey, delay, rt.scope.signal);
        continue;
      }
      const handler = task.lists['/catch/do'];
      if (handler) return rt.runList(handler, input, { ...rt.scope, vars });
      return { output: input };
    }
  }
};
