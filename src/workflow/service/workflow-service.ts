// Workflows run durably inside the control plane: definitions are deployed into the store, every
// run's state goes through the run journal after each transition, and a run left `running` by a
// control plane that stopped (SIGTERM or kill -9) resumes from its last committed state when the
// next one starts — completed tasks replayed, timers keeping their deadlines. This is the one
// place that holds live runs: it starts, cancels, suspends and resumes them, feeds their watchers,
// the runs' log and the workflow metrics, and drives the schedules.
//
// Shutdown: close() stops intake and commits what the journal holds while the runs are still
// going; only then are the runs stopped, and nothing they report afterwards is written. So a
// run interrupted by the shutdown is never stored as faulted or suspended: it stays `running`
// and resumes on the next start.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { TuttiError } from '../../core/index.js';
import type { MetaRepository, WorkflowRepository } from '../../store/index.js';
import type { AllowRun } from '../definition/index.js';
import { createRunJournal, type RunJournal } from '../durable/index.js';
import { startRun as engineStartRun } from '../engine/index.js';
import type { RunHandle, RunResult, RunState, RunWorkflowOptions, TaskEvent } from '../engine/types.js';
import type { EventBus } from '../events/types.js';
import { DefinitionCatalog, type CompiledDefinition } from './definition-catalog.js';
import { listWorkflowSummaries, workflowDetail } from './definition-views.js';
import { createRunLog, type RunLog, type RunLogRecord } from './run-log.js';
import { detailOf, isTerminal, liveSummary, occurrenceKeys, summaryOf, type RunMeta } from './run-views.js';
import { Scheduler, checkSchedule } from './schedules.js';
import type { DefinitionOrigin, RunDetail, RunSummary, RunWatchEvent, WorkflowMetricsHooks, WorkflowService, WorkflowSourceFile } from './types.js';
import { secretsFor } from './secrets.js';

export interface WorkflowServiceOptions {
  store: WorkflowRepository;
  /** where each version's origin (manifest or API) is kept */
  meta?: Pick<MetaRepository, 'get' | 'set'>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** `http://<service>/…` → the service's base URL (its stable endpoint, or a registered instance) */
  resolveService?: (host: string) => string | undefined;
  /** the bus `emit` publishes into and `listen` / `schedule.on` wait on */
  events?: EventBus;
  /** run.shell / run.script (off unless allowed) */
  allowRun?: AllowRun;
  /** the runtime's logs folder: the runs' log goes to <logDir>/workflow:<name>/ (none without one) */
  logDir?: string;
  /** working directory and environment of run.shell / run.script */
  cwd?: string;
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  now?: () => number;
  metrics?: WorkflowMetricsHooks;
  /** the engine's startRun; tests may pass another */
  startRun?: (def: CompiledDefinition['def'], options: RunWorkflowOptions) => RunHandle;
  /** the journal's own options (tests) */
  journal?: { retryDelayMs?: number };
}

interface ActiveRun {
  meta: RunMeta;
  handle: RunHandle;
  compiled: CompiledDefinition;
  /** settles once the run's end is recorded (or ignored, when shutting down) */
  done: Promise<void>;
  /** stopped by detach() or close(): nothing it reports is recorded any more (it stays running in the store) */
  detached: boolean;
}

type Listener = (e: RunWatchEvent) => void;

const NO_METRICS: WorkflowMetricsHooks = { runStarted() {}, runActive() {}, runEnded() {}, taskEnded() {} };

function notAllowed(id: string, status: string, action: string, hint: string): TuttiError {
  return new TuttiError('TUTTI_E_CONFLICT', `run ${id} is ${status}: it cannot be ${action}`, { hint, details: { run: id, status } });
}

export async function createWorkflowService(opts: WorkflowServiceOptions): Promise<WorkflowService> {
  const { store, logger } = opts;
  const now = opts.now ?? Date.now;
  const metrics = opts.metrics ?? NO_METRICS;
  const start = opts.startRun ?? engineStartRun;
  const catalog = new DefinitionCatalog(store, opts.meta, opts.allowRun ?? {}, now);
  await catalog.load();
  const journal: RunJournal = createRunJournal(store, { logger, now, retryDelayMs: opts.journal?.retryDelayMs });
  const runLog: RunLog | undefined = opts.logDir
    ? createRunLog({ dir: opts.logDir, now, onError: (err) => logger.warn({ err }, 'could not write the workflow runs log') })
    : undefined;
  const active = new Map<string, ActiveRun>();
  const watchers = new Map<string, Set<Listener>>();
  let closing = false;
  let journalOpen = true;

  const record = (id: string, state: Readonly<RunState>) => {
    if (!journalOpen) return;
    try {
      journal.record(id, state as RunState);
    } catch {
      journalOpen = false; // closed under us: the shutdown commits what was queued
    }
  };

  const notify = (id: string, e: RunWatchEvent) => {
    for (const l of watchers.get(id) ?? []) {
      try {
        l(e);
      } catch (err) {
        logger.warn({ err, run: id }, 'a run watcher failed');
      }
    }
  };

  const log = (workflow: string, r: RunLogRecord) => runLog?.write(workflow, r);

  const onTask = (run: ActiveRun, keyOf: ReturnType<typeof occurrenceKeys>, event: TaskEvent) => {
    if (closing || run.detached) return;
    const { meta } = run;
    const key = keyOf(event);
    const error = event.error ? { type: event.error.type, status: event.error.status, title: event.error.title, detail: event.error.detail } : undefined;
    log(meta.workflow, {
      level: event.type === 'faulted' ? 'error' : 'info',
      msg: `task ${event.name} ${event.type}`,
      run: meta.id,
      task: event.name,
      pointer: event.pointer,
      ...(event.loop ? { loop: event.loop } : {}),
      ...(key ? { key } : {}),
      ...(error ? { error } : {}),
    });
    if (event.type !== 'started') {
      const rec = key ? run.handle.state.tasks?.[key] : undefined;
      const ended = Date.parse(event.time);
      if (rec && Number.isFinite(ended)) {
        metrics.taskEnded(meta.workflow, run.compiled.taskTypes.get(event.pointer) ?? 'unknown', Math.max(0, ended - rec.startedAt) / 1000);
      }
    }
    notify(meta.id, { event: 'task', data: { ...event, run: meta.id, ...(key ? { key } : {}) } });
  };

  const finish = async (run: ActiveRun, result: RunResult) => {
    const { meta } = run;
    active.delete(meta.id);
    metrics.runActive(meta.workflow, -1);
    if (closing || run.detached) return; // stopped by the shutdown or a detach: stays `running` in the store
    const state = run.handle.state;
    const final: RunState =
      state.status === result.status
        ? (state as RunState)
        : { ...(state as RunState), status: result.status, ...('output' in result ? { output: result.output } : {}), ...(result.error ? { error: result.error } : {}) };
    record(meta.id, final);
    if (isTerminal(result.status)) metrics.runEnded(meta.workflow, result.status);
    const level = result.status === 'faulted' ? 'error' : result.status === 'cancelled' ? 'warn' : 'info';
    log(meta.workflow, { level, msg: `run ${result.status}`, run: meta.id, ...(result.error ? { error: result.error } : {}) });
    await journal.flush().catch((err: unknown) => logger.error({ err, run: meta.id }, 'the end of a workflow run is not stored yet'));
    const t = now();
    notify(meta.id, { event: 'run', data: liveSummary(meta, final, t, t) });
    scheduler.runEnded(meta.workflow);
  };

  const launch = (meta: RunMeta, compiled: CompiledDefinition, resume?: RunState): ActiveRun => {
    let run: ActiveRun | undefined;
    let keyOf: ReturnType<typeof occurrenceKeys> | undefined;
    const early: TaskEvent[] = [];
    const handle = start(compiled.def, {
      input: meta.input,
      runId: meta.id,
      ...(resume ? { resume } : {}),
      resolveService: opts.resolveService,
      events: opts.events,
      allow: opts.allowRun,
      cwd: opts.cwd,
      env: opts.env,
      secrets: secretsFor(compiled.def, opts.env ?? process.env),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      loadWorkflow: (name, version, namespace) => catalog.lookup(name, version, namespace),
      onTransition: (state) => {
        if (!run?.detached) record(meta.id, state);
      },
      onTask: (event) => (run && keyOf ? onTask(run, keyOf, event) : early.push(event)),
    });
    const r: ActiveRun = { meta, handle, compiled, done: Promise.resolve(), detached: false };
    keyOf = occurrenceKeys(handle.state);
    active.set(meta.id, r);
    metrics.runActive(meta.workflow, 1);
    r.done = handle.result.then(
      (result) => finish(r, result),
      (err: unknown) => {
        logger.error({ err, run: meta.id }, 'a workflow run failed inside the engine');
        return finish(r, { status: 'faulted', error: { type: 'https://serverlessworkflow.io/spec/1.0.0/errors/runtime', status: 500, title: 'Engine failure', detail: String(err) } });
      },
    );
    run = r;
    for (const e of early.splice(0)) onTask(r, keyOf, e);
    return r;
  };

  /** A stored state the engine can resume (a run that never made a transition has none yet). */
  const resumable = (state: Record<string, unknown>): RunState | undefined =>
    typeof state.tasks === 'object' && state.tasks !== null ? ({ ...(state as unknown as RunState), status: 'running' }) : undefined;

  const relaunch = (row: { id: string; workflow: string; version: string; input: unknown; createdAt: number; state: Record<string, unknown> }): ActiveRun => {
    const compiled = catalog.compile(row.workflow, row.version);
    const meta: RunMeta = { id: row.id, workflow: row.workflow, version: row.version, input: row.input, createdAt: row.createdAt };
    return launch(meta, compiled, resumable(row.state));
  };

  const requireRun = async (id: string) => {
    const row = await store.getRun(id);
    if (!row) {
      throw new TuttiError('TUTTI_E_NOT_FOUND', `no workflow run with id ${id}`, {
        hint: 'list runs with GET /api/v1/runs (tutti workflow runs)',
        details: { run: id },
      });
    }
    return row;
  };

  const currentSummary = async (id: string): Promise<RunSummary> => {
    const run = active.get(id);
    if (run) return liveSummary(run.meta, run.handle.state, now());
    return summaryOf(await requireRun(id));
  };

  /** Writes a new status for a run that is not running here (suspended, or left running). */
  const setStatus = async (row: Awaited<ReturnType<typeof requireRun>>, status: 'cancelled' | 'suspended'): Promise<RunSummary> => {
    const state = { ...row.state, status } as RunState;
    record(row.id, state);
    await journal.flush();
    const t = now();
    const summary: RunSummary = { ...summaryOf(row), status, updatedAt: t, ...(status === 'cancelled' ? { endedAt: t } : {}) };
    if (status === 'cancelled') metrics.runEnded(row.workflow, 'cancelled');
    log(row.workflow, { level: status === 'cancelled' ? 'warn' : 'info', msg: `run ${status}`, run: row.id });
    notify(row.id, { event: 'run', data: summary });
    if (status === 'cancelled') scheduler.runEnded(row.workflow);
    return summary;
  };

  const refuseWhenClosing = () => {
    if (closing) throw new TuttiError('TUTTI_E_UNAVAILABLE', 'the control plane is shutting down', { hint: 'try again once it is back' });
  };

  const startNew = async (name: string, input?: unknown, version?: string): Promise<RunSummary> => {
    refuseWhenClosing();
    const compiled = catalog.compile(name, version);
    const meta: RunMeta = { id: randomUUID(), workflow: name, version: compiled.record.version, input: input ?? {}, createdAt: now() };
    // the row first, with a placeholder state (no tasks: a crash before the first transition starts it afresh)
    journal.start({ id: meta.id, workflow: meta.workflow, version: meta.version, input: meta.input, createdAt: meta.createdAt, state: { runId: meta.id, status: 'running' } as { status: 'running' } });
    metrics.runStarted(name);
    log(name, { level: 'info', msg: 'run started', run: meta.id, version: meta.version });
    let run: ActiveRun;
    try {
      run = launch(meta, compiled);
    } catch (err) {
      logger.error({ err, run: meta.id, workflow: name }, 'the engine refused to start a workflow run');
      const error = { type: 'https://serverlessworkflow.io/spec/1.0.0/errors/runtime', status: 500, title: 'The run could not start', detail: String(err) };
      record(meta.id, { runId: meta.id, status: 'faulted', error } as unknown as RunState);
      await journal.flush().catch(() => {});
      throw new TuttiError('TUTTI_E_INTERNAL', `run ${meta.id} of workflow ${name} could not start`, { hint: 'see the daemon log (.tutti/daemon.log) for the cause', cause: err });
    }
    await journal.flush();
    return liveSummary(meta, run.handle.state, now(), now());
  };

  // cancel, suspend and resume of one run one at a time: two resumes must not launch two
  // engines on it, and a resume must not slip in while a cancel is being stored
  const changing = new Map<string, Promise<unknown>>();
  const exclusive = <T>(id: string, fn: () => Promise<T>): Promise<T> => {
    const before = changing.get(id) ?? Promise.resolve();
    const mine = before.then(fn, fn);
    const tail = mine.catch(() => {});
    changing.set(id, tail);
    void tail.then(() => {
      if (changing.get(id) === tail) changing.delete(id);
    });
    return mine;
  };

  const scheduler = new Scheduler({
    definitions: () =>
      catalog.names().map((name) => {
        const r = catalog.record(name)!;
        return { name, version: r.version, schedule: r.document.schedule, def: () => catalog.compile(name).def };
      }),
    start: (name, input) => startNew(name, input),
    lastRun: async (name) => {
      const last = (await store.listRuns({ workflow: name, limit: 1 })).runs[0];
      return last && summaryOf(last);
    },
    events: opts.events,
    onError: (err, name) => logger.error({ err, workflow: name }, 'a scheduled workflow run did not start'),
    now,
  });

  const deployAll = async (docs: WorkflowSourceFile[], origin: DefinitionOrigin = 'api') => {
    refuseWhenClosing();
    // the loader validates the document; its schedule is checked here, before anything is stored
    const results = await catalog.deploy(docs, origin, (def, doc) => checkSchedule(def.raw as Record<string, unknown>, doc.source, doc.file));
    for (const r of results) if (r.created) logger.info({ workflow: r.name, version: r.version, origin }, 'workflow deployed');
    await scheduler.sync();
    return results;
  };

  const service: WorkflowService = {
    deploy: async (doc, origin) => (await deployAll([doc], origin))[0],
    deployAll,
    listWorkflows: () => listWorkflowSummaries(store, opts.meta),
    getWorkflow: (name, version) => workflowDetail(store, name, version),
    startRun: startNew,
    listRuns: async (query) => {
      const page = await store.listRuns(query);
      return { ...page, runs: page.runs.map(summaryOf) };
    },

    async getRun(id): Promise<RunDetail> {
      const run = active.get(id);
      if (run) return detailOf(liveSummary(run.meta, run.handle.state, now()), run.handle.state);
      const row = await requireRun(id);
      return detailOf(summaryOf(row), row.state);
    },

    cancel: (id) => exclusive(id, async () => {
      refuseWhenClosing();
      const run = active.get(id);
      if (run) {
        run.handle.cancel();
        await run.done;
        return currentSummary(id);
      }
      const row = await requireRun(id);
      if (isTerminal(row.status)) throw notAllowed(id, row.status, 'cancelled', 'it has ended already');
      return setStatus(row, 'cancelled');
    }),

    suspend: (id) => exclusive(id, async () => {
      refuseWhenClosing();
      const run = active.get(id);
      if (run) {
        run.handle.suspend();
        await run.done;
        return currentSummary(id);
      }
      const row = await requireRun(id);
      if (row.status === 'suspended') throw notAllowed(id, row.status, 'suspended', 'it is suspended already; resume it with POST /api/v1/runs/{id}/resume');
      if (isTerminal(row.status)) throw notAllowed(id, row.status, 'suspended', 'it has ended already');
      return setStatus(row, 'suspended');
    }),

    resume: (id) => exclusive(id, async () => {
      refuseWhenClosing();
      if (active.has(id)) throw notAllowed(id, 'running', 'resumed', 'it is running already');
      const row = await requireRun(id);
      if (isTerminal(row.status)) throw notAllowed(id, row.status, 'resumed', 'it has ended already; start a new run instead');
      const run = relaunch(row);
      record(id, run.handle.state);
      log(row.workflow, { level: 'info', msg: 'run resumed', run: id });
      await journal.flush();
      const summary = liveSummary(run.meta, run.handle.state, now(), now());
      notify(id, { event: 'run', data: summary });
      return summary;
    }),

    async watch(id, listener) {
      let buffered: RunWatchEvent[] | undefined = [];
      const l: Listener = (e) => (buffered ? buffered.push(e) : listener(e));
      let set = watchers.get(id);
      if (!set) watchers.set(id, (set = new Set()));
      set.add(l);
      const unsubscribe = () => {
        set.delete(l);
        if (set.size === 0 && watchers.get(id) === set) watchers.delete(id);
      };
      try {
        listener({ event: 'run', data: await currentSummary(id) });
      } catch (e) {
        unsubscribe();
        throw e;
      }
      const pending = buffered;
      buffered = undefined;
      for (const e of pending) listener(e);
      return unsubscribe;
    },

    async resumeUnfinished() {
      for (const row of await store.listUnfinishedRuns()) {
        if (row.status !== 'running' || active.has(row.id)) continue;
        try {
          relaunch(row);
          log(row.workflow, { level: 'info', msg: 'run resumed after a restart', run: row.id });
          logger.info({ run: row.id, workflow: row.workflow, version: row.version }, 'workflow run resumed');
        } catch (err) {
          logger.error({ err, run: row.id, workflow: row.workflow, version: row.version }, 'a workflow run could not be resumed; it stays running in the store (cancel it, or fix and resume it)');
        }
      }
      await scheduler.sync();
    },

    async detach() {
      // no schedule starts a run against a stack that is going down; resumeUnfinished re-arms them
      await scheduler.pause();
      const runs = [...active.values()];
      // nothing more is recorded for them; what is queued is committed while their states still
      // say running, and only then are they stopped
      for (const r of runs) r.detached = true;
      await journal.flush().catch((err: unknown) => logger.error({ err }, 'the last workflow run states could not be stored'));
      for (const r of runs) r.handle.suspend();
      await Promise.allSettled(runs.map((r) => r.done));
      if (runs.length > 0) logger.info({ runs: runs.length }, 'workflow runs stopped; they stay running in the store and resume later');
    },

    async close() {
      if (closing) return;
      closing = true;
      scheduler.stop();
      // commit while the runs still go (their states say running), then stop them
      await journal.close().catch((err: unknown) => logger.error({ err }, 'the last workflow run states could not be stored'));
      journalOpen = false;
      const runs = [...active.values()];
      for (const r of runs) r.detached = true;
      for (const r of runs) r.handle.suspend();
      await Promise.race([Promise.allSettled(runs.map((r) => r.done)), new Promise((r) => setTimeout(r, 2000).unref())]);
      await runLog?.close();
      watchers.clear();
    },
  };
  return service;
}
