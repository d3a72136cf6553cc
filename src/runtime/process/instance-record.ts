// What the process driver persists per instance (InstanceRecord.data), on every change: enough
// to adopt a running instance after a daemon restart (pid + start time, FIFOs, port), and to
// restart a dead one right away without waiting for the orchestrator (the service spec and the
// deployment's environment). The daemon's own environment is not stored: it is added again at
// spawn time.

import { createHash } from 'node:crypto';
import type { HealthStatus, InstanceInfo, InstanceState, ServiceSpec } from '../../core/index.js';

export const RECORD_VERSION = 1;

export interface ProcessInstanceData {
  version: typeof RECORD_VERSION;
  service: string;
  revision: string;
  envHash: string;           // hash of the deployment env: a change needs new instances
  slot: number;
  address: string;
  port: number;
  pid?: number;
  startTime?: string;        // field 22 of /proc/<pid>/stat
  state: InstanceState;
  health: HealthStatus;
  ready: boolean;
  restarts: number;
  crashes: number;           // consecutive crashes, for backoff and crash-loop detection
  createdAt: number;
  startedAt?: number;
  lastExit?: InstanceInfo['lastExit'];
  message?: string;
  /** set while the supervisor stops the process to restart it (memory limit passed): the exit
   *  that follows is a failure for the restart policy, described by this, whatever its code */
  stopCause?: string;
  fifos: { stdout: string; stderr: string };
  logFile: string;
  spec: ServiceSpec;
  env: Record<string, string>;
}

/** What it takes to create an instance. */
export interface NewInstance {
  id: string;
  slot: number;
  port: number;
  spec: ServiceSpec;
  env: Record<string, string>;
  fifos: { stdout: string; stderr: string };
  logFile: string;
}

export function newInstanceData(init: NewInstance): ProcessInstanceData {
  return {
    version: RECORD_VERSION,
    service: init.spec.name,
    revision: init.spec.revision,
    envHash: envHash(init.env),
    slot: init.slot,
    address: '127.0.0.1',
    port: init.port,
    state: 'starting',
    health: init.spec.health ? 'unknown' : 'none',
    ready: false,
    restarts: 0,
    crashes: 0,
    createdAt: Date.now(),
    fifos: init.fifos,
    logFile: init.logFile,
    spec: init.spec,
    env: init.env,
  };
}

export function parseInstanceData(data: unknown): ProcessInstanceData | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Partial<ProcessInstanceData>;
  if (d.version !== RECORD_VERSION || typeof d.service !== 'string' || !d.spec || !d.fifos || typeof d.port !== 'number') return undefined;
  return d as ProcessInstanceData;
}

export function envHash(env: Record<string, string>): string {
  const entries = Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 16);
}

export function toInstanceInfo(id: string, d: ProcessInstanceData): InstanceInfo {
  const info: InstanceInfo = {
    id,
    service: d.service,
    revision: d.revision,
    slot: d.slot,
    address: d.address,
    port: d.port,
    state: d.state,
    health: d.health,
    ready: d.ready,
    restarts: d.restarts,
    createdAt: d.createdAt,
  };
  if (d.pid !== undefined) info.pid = d.pid;
  if (d.startedAt !== undefined) info.startedAt = d.startedAt;
  if (d.lastExit) info.lastExit = { ...d.lastExit };
  if (d.message) info.message = d.message;
  return info;
}
