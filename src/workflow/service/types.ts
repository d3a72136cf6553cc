// The workflow service's contract, as the control plane's API uses it: deployed definitions,
// runs and their live view. Types only, so the API routes can be registered without loading
// the engine (jq, the schema compiler) — that happens when a workflow is first deployed.

import type { WorkflowRunPage, WorkflowRunQuery, WorkflowRunStatus, WorkflowRunSummary } from '../../store/index.js';
import type { RunState, TaskEvent, TaskRecord, WorkflowErrorJSON } from '../engine/types.js';

export type DefinitionOrigin = 'manifest' | 'api';

export interface WorkflowSummary {
  name: string;
  /** the latest deployed version (newest createdAt) */
  version: string;
  /** every deployed version, newest first */
  versions: string[];
  namespace: string;
  title?: string;
  summary?: string;
  /** when the latest version was deployed, ms since epoch */
  createdAt: number;
  /** where the latest version came from: the manifest's `workflows:` or the API */
  origin: DefinitionOrigin;
}

export interface WorkflowDetail {
  name: string;
  version: string;
  versions: string[];
  namespace: string;
  /** the text as deployed */
  source: string;
  /** the parsed document */
  document: Record<string, unknown>;
}

export interface DeployResult {
  name: string;
  version: string;
  /** false when this exact definition was deployed already */
  created: boolean;
}

/** A document to deploy: its text and where it comes from (named in problems). */
export interface WorkflowSourceFile {
  source: string;
  /** e.g. workflows/place-order.yaml */
  file?: string;
}

export type RunStatus = WorkflowRunStatus;
/** A run as listed: everything but its state (times in ms since epoch). */
export type RunSummary = Omit<WorkflowRunSummary, 'error'> & { error?: WorkflowErrorJSON };
export type RunQuery = WorkflowRunQuery;
export type RunPage = Omit<WorkflowRunPage, 'runs'> & { runs: RunSummary[] };

/** One task occurrence of a run, with its occurrence key (`<pointer>[:<loop>…]#<n>`). */
export type RunTask = TaskRecord & { key: string };

export interface RunDetail extends RunSummary {
  /** every task occurrence started so far, by startedAt then key */
  tasks: RunTask[];
  /** the task last started */
  position?: RunState['position'];
  /** $context now */
  context: unknown;
  /** durable timers (waits, retry delays, timeouts) by key → deadline, ms since epoch */
  timers?: Record<string, number>;
}

/** What a watcher of one run receives: task events and the run's summary on each status change. */
export type RunWatchEvent = { event: 'task'; data: TaskEvent & { run: string; key?: string } } | { event: 'run'; data: RunSummary };

export interface WorkflowService {
  /** Validates (400 naming file:line:col and pointer of every problem) and stores a definition;
   *  409 when that name and version exist with another source. */
  deploy(doc: WorkflowSourceFile, origin?: DefinitionOrigin): Promise<DeployResult>;
  /** Several documents, all or nothing: every one is validated and checked for conflicts
   *  before any is stored (the manifest's `workflows:` on `up`). */
  deployAll(docs: WorkflowSourceFile[], origin?: DefinitionOrigin): Promise<DeployResult[]>;
  listWorkflows(): Promise<WorkflowSummary[]>;
  /** 404 for an unknown name or version */
  getWorkflow(name: string, version?: string): Promise<WorkflowDetail>;
  /** Starts a run of the version (default the latest); it is persisted before this resolves. */
  startRun(name: string, input?: unknown, version?: string): Promise<RunSummary>;
  listRuns(query?: RunQuery): Promise<RunPage>;
  /** 404 for an unknown run */
  getRun(id: string): Promise<RunDetail>;
  /** 409 when the run's status does not allow it (it ended already) */
  cancel(id: string): Promise<RunSummary>;
  /** 409 unless the run is running */
  suspend(id: string): Promise<RunSummary>;
  /** 409 unless the run is suspended (or marked running but not running here) */
  resume(id: string): Promise<RunSummary>;
  /** Follows one run: first `run` with its current summary, then task events and status changes,
   *  in order. 404 for an unknown run. Returns the unsubscribe function. */
  watch(id: string, listener: (e: RunWatchEvent) => void): Promise<() => void>;
  /** At start-up: every run left running is resumed with its own definition version (suspended
   *  ones stay suspended); schedules of the deployed definitions start. */
  resumeUnfinished(): Promise<void>;
  /** Stops every run going on here without recording anything more about them: they stay
   *  `running` in the store, and resumeUnfinished() takes them up again (before `tutti down`
   *  stops the services they call, so they do not fault because of it). The service stays open. */
  detach(): Promise<void>;
  /** Stops intake and persists what is queued; runs in flight just stop, still `running` in the
   *  store, and resume when the control plane starts again. */
  close(): Promise<void>;
}

/** Counters of issue 5 (tutti_workflow_*), fed by the service as runs and tasks go. */
export interface WorkflowMetricsHooks {
  runStarted(workflow: string): void;
  /** +1 when a run starts or resumes here, -1 when it stops here (ended, suspended, shut down) */
  runActive(workflow: string, delta: number): void;
  /** a run reached completed, faulted or cancelled */
  runEnded(workflow: string, status: string): void;
  taskEnded(workflow: string, taskType: string, seconds: number): void;
}
