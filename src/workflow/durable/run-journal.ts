// The run journal: the engine hands it a run's state after every transition and it persists the
// latest state of each run by group commit — every state recorded during one turn of the event
// loop goes to the store in one transaction, several transitions of one run costing one row
// write. A transaction per transition would cap a SQLite-backed engine at a few thousand
// transitions a second; a batch per tick costs one commit whatever the number of runs.

import type { Logger } from 'pino';
import { TuttiError } from '../../core/index.js';
import type { NewWorkflowRun, WorkflowRepository, WorkflowRunStatus, WorkflowRunUpdate } from '../../store/index.js';

/** What the journal reads of a state (the engine's RunState, or a suspended one). */
export interface JournalState {
  status: WorkflowRunStatus;
  output?: unknown;
  error?: unknown;
}

export interface RunJournalOptions {
  /** runs written per transaction at most; more wait for the next one. Default 1000. */
  maxBatch?: number;
  /** failed commits are reported here (they are retried) */
  logger?: Pick<Logger, 'warn' | 'error'>;
  /** first delay before retrying a failed commit, doubled up to 5 s. Default 50 ms. */
  retryDelayMs?: number;
  /** ms since epoch, the transition's time; default Date.now */
  now?: () => number;
}

export interface NewJournalRun extends Omit<NewWorkflowRun, 'state' | 'status'> {
  state: JournalState & object;
}

export interface RunJournal {
  /** Queues a new run's row; it is written in the same commit as its first states. */
  start(run: NewJournalRun): void;
  /** Queues the run's latest state. The object is kept, not copied: it is serialised when its
   *  batch is committed (at most a tick later), so the engine may go on mutating it and the
   *  newest state is the one written. */
  record(runId: string, state: JournalState & object): void;
  /** resolves once everything queued before the call is committed; rejects if a commit that
   *  held some of it failed (the journal keeps retrying it) */
  flush(): Promise<void>;
  /** refuses new records, commits what is queued (rejecting if that fails) and stops */
  close(): Promise<void>;
  /** runs whose latest state is not committed yet */
  readonly pending: number;
}

interface Entry {
  /** the sequence number when the run entered the queue: the queue is in this order */
  seq: number;
  state: JournalState & object;
  updatedAt: number;
  create?: NewJournalRun;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const MAX_RETRY_DELAY_MS = 5000;

export function createRunJournal(repo: WorkflowRepository, opts: RunJournalOptions = {}): RunJournal {
  const maxBatch = opts.maxBatch ?? 1000;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError('maxBatch must be a positive integer');
  const baseDelay = opts.retryDelayMs ?? 50;
  const now = opts.now ?? Date.now;
  const log = opts.logger;

  // Map keeps insertion order: the front entry is the oldest one not yet committed
  let queue = new Map<string, Entry>();
  let inflight: Map<string, Entry> | undefined;
  let scheduled = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let seq = 0;
  let closed = false;
  let closing: Promise<void> | undefined;
  let waiters: Waiter[] = [];

  const enqueue = (runId: string, state: JournalState & object, create?: NewJournalRun) => {
    if (closed) {
      throw new TuttiError('TUTTI_E_INTERNAL', `the run journal is closed: the state of run ${runId} cannot be recorded`, {
        hint: 'the control plane is shutting down; the run resumes from its last committed state',
      });
    }
    seq++;
    const prev = queue.get(runId);
    if (prev) {
      prev.state = state;
      prev.updatedAt = now();
    } else {
      queue.set(runId, { seq, state, updatedAt: now(), create });
    }
    schedule();
  };

  const schedule = () => {
    if (scheduled || inflight || retryTimer || queue.size === 0) return;
    scheduled = true;
    // setImmediate, not a microtask: transitions made synchronously or in microtasks of the
    // current turn all join this batch
    setImmediate(commit);
  };

  /** the sequence number below which everything is committed */
  const committedBelow = () => {
    let low = seq + 1;
    for (const m of [inflight, queue]) {
      const first = m?.values().next().value;
      if (first && first.seq < low) low = first.seq;
    }
    return low;
  };

  const settleWaiters = (error?: unknown) => {
    const low = committedBelow();
    const keep: Waiter[] = [];
    for (const w of waiters) {
      if (w.seq < low) w.resolve();
      else if (error !== undefined) w.reject(error);
      else keep.push(w);
    }
    waiters = keep;
  };

  const commit = async () => {
    scheduled = false;
    if (queue.size === 0) return;
    const batch = new Map<string, Entry>();
    for (const [id, e] of queue) {
      if (batch.size >= maxBatch) break;
      batch.set(id, e);
      queue.delete(id);
    }
    inflight = batch;
    const create: NewWorkflowRun[] = [];
    const updates: WorkflowRunUpdate[] = [];
    for (const [id, e] of batch) {
      const row = { id, status: e.state.status, state: e.state, output: e.state.output, error: e.state.error, updatedAt: e.updatedAt };
      // a run created in this batch is inserted with its latest state: no update needed
      if (e.create) create.push({ ...e.create, ...row });
      else updates.push(row);
    }
    try {
      const { missing, duplicates } = await repo.saveRunStates(updates, create);
      // retrying cannot fix these (a programming error upstream): report them, keep the rest flowing
      if (missing.length > 0) {
        log?.error({ runs: missing }, `the run journal dropped the states of ${missing.length} run(s) the store does not know; start() a run before recording it`);
      }
      if (duplicates.length > 0) {
        log?.error({ runs: duplicates }, `the run journal did not start ${duplicates.length} run(s) whose id exists already; give every run a new id`);
      }
      inflight = undefined;
      failures = 0;
      settleWaiters();
    } catch (e) {
      inflight = undefined;
      failures++;
      // put the batch back in front, a newer state recorded meanwhile replacing the failed one
      const merged = new Map<string, Entry>();
      for (const [id, failed] of batch) {
        const newer = queue.get(id);
        merged.set(id, newer ? { ...newer, seq: failed.seq, create: failed.create } : failed);
      }
      for (const [id, entry] of queue) if (!merged.has(id)) merged.set(id, entry);
      queue = merged;
      const delay = Math.min(MAX_RETRY_DELAY_MS, baseDelay * 2 ** (failures - 1));
      log?.error({ err: e, runs: batch.size, attempt: failures }, `the run journal could not commit the states of ${batch.size} run(s); retrying in ${delay} ms`);
      settleWaiters(e);
      if (closed) return; // close() reports it
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        schedule();
      }, delay);
      return;
    }
    schedule();
  };

  const flush = (): Promise<void> => {
    if (committedBelow() > seq) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      waiters.push({ seq, resolve, reject });
      // a flush is worth retrying now rather than after the back-off
      if (retryTimer && !closed) {
        clearTimeout(retryTimer);
        retryTimer = undefined;
        schedule();
      }
    });
  };

  return {
    start(run) {
      enqueue(run.id, run.state, { ...run, createdAt: run.createdAt ?? now() });
    },
    record(runId, state) {
      enqueue(runId, state);
    },
    flush,
    close() {
      closing ??= (async () => {
        closed = true;
        if (retryTimer) {
          clearTimeout(retryTimer);
          retryTimer = undefined;
        }
        // drain: commit batch after batch (a failure rejects; nothing is retried once closing)
        while (queue.size > 0 || inflight) {
          if (!inflight && !scheduled) {
            scheduled = true;
            setImmediate(commit);
          }
          await flush();
        }
      })();
      return closing;
    },
    get pending() {
      return queue.size + (inflight?.size ?? 0);
    },
  };
}
