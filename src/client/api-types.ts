// The shapes the control-plane API speaks, for users of the client. The orchestrator's status,
// operation and registry types are re-exported as types only (nothing of those layers is loaded).

import type { BalanceStrategy, InstanceInfo, LogLevel, QosWeights, ScoredInstance } from '../core/index.js';
import type { StackStatus } from '../orchestrator/types.js';
import type { CheckStatus, RegistryEvent, RegistryInstance } from '../registry/types.js';
import type { TaskEvent, TaskRecord, WorkflowErrorJSON } from '../workflow/engine/types.js';
import type { CloudEvent } from '../workflow/events/types.js';

export type { InstanceInfo, LogLevel, LogLine, StackSpec, ServiceSpec, TuttiErrorJSON } from '../core/index.js';
export type {
  StackStatus,
  ServiceStatus,
  ServiceState,
  OperationInfo,
  OperationEvent,
  OperationKind,
} from '../orchestrator/types.js';

/** An instance as the API shows it; cpu and memory are there when asked for (`stats: true`). */
export type InstanceView = InstanceInfo & {
  /** percent of one core */
  cpu?: number;
  /** resident memory, bytes */
  memory?: number;
};

export type StackStatusView = Omit<StackStatus, 'instances'> & { instances: InstanceView[] };

export interface LogsQuery {
  /** only these services (all when absent) */
  services?: string[];
  /** only these instances */
  instances?: string[];
  /** ms since epoch, or text the server parses: a duration back from now (`10m`) or an ISO time */
  since?: number | string;
  /** only lines written at or before this; same forms as `since` */
  until?: number | string;
  /** only lines containing this text, or matching `/regex/flags` (for a JSON line, its message may match instead) */
  grep?: string;
  /** only JSON lines of this level or above (lines without a parsed level are left out) */
  level?: LogLevel;
  /** only the last N lines of the merged stream (for a follow: of the initial backlog) */
  tail?: number;
}

export interface VersionInfo {
  version: string;
  api: 'v1';
  node: string;
  /** where the control plane runs the stack's services (absent from daemons before this was reported) */
  runtime?: { name: 'process' | 'kubernetes'; context?: string; namespace?: string };
}

export interface ShutdownResult {
  accepted: true;
  stopStack: boolean;
}

export type { Alert, AlertRuleView, AlertsView, SeriesQueryResult } from '../monitor/index.js';

export interface SeriesRequest {
  metric: string;
  /** equality filters on labels */
  labels?: Record<string, string>;
  /** ms since epoch, an ISO time, or a duration back from now (default 1h) */
  start?: string | number;
  /** as start; default now */
  end?: string | number;
  /** one point per step, e.g. '15s' */
  step?: string;
}

// ---- the service registry (discovery) ---------------------------------------------------
// Declared by the registry and core layers; re-exported as types only, so nothing of those
// layers is loaded by a client.
export type {
  CheckStatus,
  CheckDefinition,
  RegistryInstance,
  RegisterInput,
  RegistryEvent,
  ServiceSummary,
} from '../registry/types.js';
export type { ScoredInstance, ScoreTerms, QosWeights, BalanceStrategy } from '../core/index.js';


export interface RegistryInstancesQuery {
  /** only passing and warning instances */
  healthy?: boolean;
  /** instances carrying every one of these tags */
  tags?: string[];
  /** blocking query: answer once the registry index passes this one (or `waitMs` elapses) */
  index?: number;
  /** longest hold of a blocking query; the server's default is 5 minutes, its maximum 10 */
  waitMs?: number;
  /** ends a blocking query early (the call then rejects with the signal's reason) */
  signal?: AbortSignal;
}

export interface RegistryInstanceList {
  /** the registry index this list is current at; pass it as `index` to wait for the next change */
  index: number;
  instances: RegistryInstance[];
}

/** `GET /registry/services/:service/scores`: the balancer's view of each instance. */
export interface RegistryScores {
  service: string;
  strategy: BalanceStrategy;
  /** normalised to sum 1 */
  weights: QosWeights;
  instances: ScoredInstance[];
}

export interface HeartbeatReport {
  status?: CheckStatus;
  output?: string;
}

/** One item of a registry watch: a change, or the full list when the watch (re)starts from
 *  nothing or from an index older than the kept history. */
export type RegistryWatchEvent =
  | { type: 'change'; index: number; event: RegistryEvent }
  | { type: 'reset'; index: number; instances: RegistryInstance[] };

export interface RegistryWatchOptions {
  /** only this service's changes (and its instances in a reset) */
  service?: string;
  /** resume after this index (its changes are not repeated); without it the watch starts with a reset */
  index?: number;
  /** ends the watch quietly */
  signal?: AbortSignal;
  /** first pause before reconnecting a dropped stream; doubles up to `maxRetryMs`. Default 100 ms */
  retryMs?: number;
  /** default 5 s */
  maxRetryMs?: number;
}

// ---- workflows, runs and events ---------------------------------------------------------
// The engine's task shapes are re-exported as types only (nothing of the engine is loaded).
export type { TaskEvent, TaskRecord, WorkflowErrorJSON, CloudEvent };
// the shapes the control plane answers with are the workflow service's own (types only)
export type { WorkflowSummary, RunSummary, RunDetail, RunPage, RunStatus } from '../workflow/service/types.js';
export type { DeployResult as WorkflowDeployResult, WorkflowDetail as WorkflowDocument } from '../workflow/service/types.js';
import type { RunStatus, RunSummary } from '../workflow/service/types.js';

export interface StartRunOptions {
  input?: unknown;
  /** default: the latest version */
  version?: string;
}

export interface RunsQuery {
  workflow?: string;
  status?: RunStatus;
  /** ms since epoch, or text the server parses: a duration back from now (`1h`) or an ISO time */
  since?: number | string;
  /** as since */
  until?: number | string;
  /** default 100, at most 1000 */
  limit?: number;
  /** the `next` cursor of the previous page */
  before?: string;
}

/** A task event of a watched run; `key` is the occurrence key (`<pointer>[:<loop index>…]#<n>`). */
export type RunTaskEvent = TaskEvent & { key?: string; run?: string };

/** One item of `watchRun`: a task started, completed or faulted, or the run's status changed. */
export type RunWatchEvent = { type: 'task'; data: RunTaskEvent } | { type: 'run'; data: RunSummary };

/** A CloudEvent to publish: `id`, `time` and `specversion` are filled in when absent. */
export type EventInput = Omit<CloudEvent, 'specversion' | 'id'> & { specversion?: '1.0'; id?: string };

export interface SentEvent {
  id: string;
  /** the event's position in the daemon's bus */
  seq: number;
}
