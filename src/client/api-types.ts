// The shapes the control-plane API speaks, for users of the client. The orchestrator's status
// and operation types are re-exported as types only (nothing of that layer is loaded).

import type { InstanceInfo, LogLevel } from '../core/index.js';
import type { StackStatus } from '../orchestrator/types.js';

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
