// The Runtime driver contract. A driver works at the level of a service: it rolls out a
// revision itself (health-gated, one surge instance at a time, never below the ready count),
// restarts crashed instances by its restart policy, and reports every instance change.
// The orchestrator decides what to deploy and in which order; a driver decides how.

import type { InstanceInfo, LogLevel, LogLine, ServiceSpec } from '../core/index.js';

export interface Deployment {
  spec: ServiceSpec;
  /** desired number of instances (the orchestrator's, which may differ from spec.replicas after `scale`/`stop`) */
  replicas: number;
  /** environment added to every instance: <DEP>_URL, TUTTI_STACK, … (PORT, TUTTI_SERVICE, TUTTI_INSTANCE are the driver's) */
  env: Record<string, string>;
}

export type ProgressPhase =
  | 'unchanged'      // nothing to do
  | 'starting'       // an instance was started
  | 'ready'          // an instance became ready
  | 'stopping'       // an old or surplus instance is being stopped
  | 'done'           // the service matches the deployment
  | 'failed';        // the deployment cannot complete; the previous instances are kept

export interface Progress {
  service: string;
  phase: ProgressPhase;
  instance?: string;
  message?: string;
  /** on 'failed': the failing instance's last log lines */
  logs?: string[];
}

export type InstanceChange = 'created' | 'started' | 'ready' | 'unready' | 'exited' | 'restarting' | 'removed' | 'updated';

export interface InstanceEvent {
  change: InstanceChange;
  instance: InstanceInfo;
  detail?: string;
}

export interface LogQuery {
  services?: string[];
  instances?: string[];
  sinceMs?: number;        // ms since epoch, inclusive
  untilMs?: number;        // ms since epoch, inclusive
  /** text to look for, or `/regex/flags` (see log-query.ts): in the line, or in a JSON line's parsed message */
  grep?: string;
  /** only lines whose parsed level is this one or above; lines without a level are left out */
  level?: LogLevel;
  tail?: number;           // last N lines (after every filter), over the merged stream
  follow?: boolean;
}

export interface Runtime {
  readonly name: string;
  /** Roll the service out to this deployment: start, replace (rolling) or scale instances. */
  apply(deployment: Deployment, signal: AbortSignal): AsyncIterable<Progress>;
  /** Rolling restart: each instance replaced by a new one, health-gated, zero downtime. */
  restart(service: string, signal: AbortSignal): AsyncIterable<Progress>;
  /** Stop and forget every instance of the service (stop signal, grace, then SIGKILL). */
  remove(service: string, signal?: AbortSignal): Promise<void>;
  /** Current instances, of one service or all. */
  instances(service?: string): InstanceInfo[];
  /** Subscribe to instance changes; returns the unsubscribe function. */
  observe(listener: (event: InstanceEvent) => void): () => void;
  /** Log lines, merged in time order; with follow, goes on until the signal aborts. */
  logs(query: LogQuery, signal: AbortSignal): AsyncIterable<LogLine>;
  /** Last lines of one instance, for failure reports. */
  lastLines(instanceId: string, n: number): Promise<string[]>;
  /** CPU (percent of one core), resident memory (bytes) and, where the OS tells, total CPU
   *  seconds (user + system) of each running instance, by instance id. */
  stats(): Promise<Record<string, { cpu: number; memory: number; cpuSeconds?: number }>>;
  /** Let go of instances without stopping them (the daemon is exiting; a later one adopts them). */
  detach(): Promise<void>;
  /** Deletes what the runtime manages for the stack but whose service is not in `keep` (a
   *  cluster's objects outlive the daemon); returns a description of each. Drivers whose
   *  instances end with the stack's services (process) leave it out. */
  prune?(stack: string, keep: string[]): Promise<string[]>;
  /** The address the runtime's own network reaches the service at (kubernetes: the Service's
   *  cluster DNS name, which the other pods use; undefined: none), shown in status beside the
   *  daemon's local stable endpoint, which only reaches instances the daemon can reach. */
  serviceUrl?(service: string): string | undefined;
}

/** What a driver persists to adopt its instances after a daemon restart. */
export interface InstanceRecord {
  id: string;
  service: string;
  data: unknown; // driver-specific JSON
}

export interface InstanceStore {
  list(): Promise<InstanceRecord[]>;
  put(record: InstanceRecord): Promise<void>;
  delete(id: string): Promise<void>;
}
