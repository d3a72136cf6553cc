// The service registry's contract. Instances come from two sources: the ones tutti starts
// (`local`, fed by the orchestrator from the runtime's instance events, never persisted: the
// runtime adopts them after a daemon restart) and the ones started elsewhere (`external`,
// registered through the API or the client SDK with a TTL, HTTP or TCP check, persisted so
// they survive a daemon restart). Every change bumps one stack-wide index, Consul style:
// watchers resume from the last index they saw and receive each change once, in order.

import type { InstanceInfo } from '../core/index.js';

export type CheckStatus = 'passing' | 'warning' | 'critical';

/** An external instance's check, compiled (durations in ms). Exactly one of ttlMs/http/tcp. */
export interface CheckDefinition {
  /** the instance must heartbeat at least this often or turn critical */
  ttlMs?: number;
  /** URL probed (2xx/3xx passing, 429 warning, else critical) */
  http?: string;
  /** connect to address:port */
  tcp?: boolean;
  /** http/tcp: probe period, default 10s */
  intervalMs?: number;
  /** http/tcp: default 2s */
  timeoutMs?: number;
  /** removed after being critical this long; default 1m */
  deregisterCriticalAfterMs: number;
}

export interface RegistryInstance {
  id: string;
  service: string;
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string>;
  status: CheckStatus;
  /** why it has this status (probe message, "TTL expired", the runtime's state) */
  output?: string;
  source: 'local' | 'external';
  check?: CheckDefinition;
  registeredAt: number;
  /** the index of its last change */
  modifyIndex: number;
  lastHeartbeatAt?: number;
  criticalSince?: number;
}

/** What `POST /api/v1/registry/instances` and the SDK's register() take (durations as in the manifest). */
export interface RegisterInput {
  /** default: `<service>-<random>`; registering an existing external id replaces it */
  id?: string;
  service: string;
  address: string;
  port: number;
  tags?: string[];
  meta?: Record<string, string>;
  check?: {
    ttl?: string | number;
    http?: string;
    tcp?: boolean;
    interval?: string | number;
    timeout?: string | number;
    deregister_critical_after?: string | number;
  };
}

export interface RegistryEvent {
  index: number;
  type: 'registered' | 'updated' | 'deregistered';
  service: string;
  instance: RegistryInstance;
}

export interface InstanceFilter {
  /** only passing and warning instances */
  healthy?: boolean;
  /** instances carrying every one of these tags */
  tags?: string[];
}

export interface ServiceSummary {
  name: string;
  instances: number;
  passing: number;
  warning: number;
  critical: number;
  /** union of the instances' tags, sorted */
  tags: string[];
  /** true when the applied stack declares it */
  declared: boolean;
}

export interface ChangeBatch {
  /** the registry's index now */
  index: number;
  /** changes after the asked index, oldest first (only the asked service's, if one was named) */
  events: RegistryEvent[];
  /** true when the asked index is older than the kept history (or from before a restart):
   *  the watcher must re-list instead of applying `events` */
  reset: boolean;
}

export interface Registry {
  /** the index of the last change */
  index(): number;
  /** Registers (or replaces) an external instance; TuttiError TUTTI_E_BAD_REQUEST on bad input. */
  register(input: RegisterInput): Promise<RegistryInstance>;
  /** Removes an external instance; TUTTI_E_NOT_FOUND when unknown, TUTTI_E_BAD_REQUEST for a local one. */
  deregister(id: string): Promise<RegistryInstance>;
  /** TTL heartbeat (Consul's check pass/warn/fail); TUTTI_E_NOT_FOUND when unknown. */
  heartbeat(id: string, report?: { status?: CheckStatus; output?: string }): Promise<RegistryInstance>;
  /** The stack's services (declared even with no instance), from the orchestrator. */
  setDeclaredServices(names: readonly string[]): void;
  /** The runtime's view of one local instance (called on every instance event); an instance
   *  without a port or that stopped/exited/was removed is deregistered. */
  syncLocal(instance: InstanceInfo, removed?: boolean): void;
  get(id: string): RegistryInstance | undefined;
  /** TUTTI_E_NOT_FOUND (with a did-you-mean) for a service neither declared nor registered. */
  instances(service: string, filter?: InstanceFilter): RegistryInstance[];
  services(): ServiceSummary[];
  changes(sinceIndex: number, service?: string): ChangeBatch;
  /** Blocking query: resolves with changes(since, service) as soon as there is one, or an
   *  empty batch after `timeoutMs` or when the signal aborts. */
  waitForChange(sinceIndex: number, opts: { service?: string; timeoutMs: number; signal?: AbortSignal }): Promise<ChangeBatch>;
  subscribe(listener: (event: RegistryEvent) => void): () => void;
  /** Stops the checks and timers; persisted registrations stay for the next daemon. */
  close(): Promise<void>;
}
