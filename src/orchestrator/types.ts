// What the orchestrator offers the control plane: the stack's status, and operations
// (apply, restart, scale, stop, start, down) that each run as a tracked "operation" whose
// progress events can be followed until it completes.

import type { InstanceInfo, ScoredInstance, StackSpec } from '../core/index.js';
import type { LogQuery, ProgressPhase } from '../runtime/index.js';
import type { LogLine } from '../core/index.js';

export type ServiceState = 'pending' | 'starting' | 'running' | 'degraded' | 'stopped' | 'completed' | 'failed';

export interface ServiceStatus {
  name: string;
  state: ServiceState;
  desired: number;          // instances wanted now (0 when stopped)
  replicas: number;         // instances wanted when started (manifest or `scale`)
  ready: number;
  stopped: boolean;
  revision: string;
  importance: number;
  health: number;           // ready / replicas, in [0, 1] (1 for a completed one-shot service)
  endpoint?: string;        // the stable endpoint on the control plane's machine, e.g. http://127.0.0.1:41234 (workflows call it)
  /** where the runtime's own network reaches the service, what the other pods use (kubernetes: http://api.shop.svc:8080) */
  clusterUrl?: string;
  dependsOn: Record<string, string>;
  message?: string;
}

export interface StackStatus {
  name: string;
  file: string;
  dir: string;
  appliedAt: number;
  health: number;           // weighted stack-health score in [0, 1]
  services: ServiceStatus[];
  instances: InstanceInfo[];
}

export type OperationKind = 'apply' | 'restart' | 'scale' | 'stop' | 'start' | 'down';

export interface OperationEvent {
  seq: number;
  time: number;
  service?: string;
  phase: ProgressPhase | 'waiting' | 'removed' | 'complete';
  message?: string;
  instance?: string;
  logs?: string[];
  /** on 'complete' only */
  ok?: boolean;
}

export interface OperationInfo {
  id: string;
  kind: OperationKind;
  startedAt: number;
  done: boolean;
  ok?: boolean;
  events: OperationEvent[];
}

export interface Orchestrator {
  status(): StackStatus | null;
  /** The applied stack as compiled (null before the first `up` and after `down`). */
  spec(): StackSpec | null;
  /** Validates (commands exist, fixed ports free), then starts the operation; throws TuttiError on bad input. */
  apply(stack: StackSpec): Promise<OperationInfo>;
  restart(service: string): Promise<OperationInfo>;
  scale(service: string, replicas: number): Promise<OperationInfo>;
  stop(service: string): Promise<OperationInfo>;
  start(service: string): Promise<OperationInfo>;
  down(): Promise<OperationInfo>;
  operation(id: string): OperationInfo | undefined;
  /** Follow one operation: past events are replayed, then live ones until 'complete'. */
  followOperation(id: string, listener: (e: OperationEvent) => void): () => void;
  logs(query: LogQuery, signal: AbortSignal): AsyncIterable<LogLine>;
  /** CPU (percent of one core) and resident memory (bytes) of each running instance, by id. */
  stats(): Promise<Record<string, { cpu: number; memory: number; cpuSeconds?: number }>>;
  /** QoS scores of the service's instances as its stable endpoint sees them (empty when it has none). */
  scores(service: string): ScoredInstance[];
  /** Stop intake and let go of instances without stopping them (daemon exit; the next daemon adopts). */
  close(): Promise<void>;
}
