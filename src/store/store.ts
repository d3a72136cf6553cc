// The persistence contract of the control plane: the applied stack, the orchestrator's desired
// state per service, the runtime's adoption records, the event history, the registry's external
// registrations, a few single values (meta) and workflow definitions and runs. One interface so
// SQLite (one machine) and PostgreSQL (several control-plane replicas) pass one contract suite.

import type { StackSpec } from '../core/index.js';
import type { InstanceStore } from '../runtime/contract.js';
import type { WorkflowRepository } from './workflow-records.js';

export interface StoredStack {
  spec: StackSpec;
  /** when the spec was last stored, ms since epoch */
  appliedAt: number;
}

/** The orchestrator's desired state for one service, beyond what the manifest says. */
export interface ServiceRecord {
  name: string;
  /** instances wanted when started (the manifest's, or the last `scale`) */
  replicas: number;
  /** stopped with `tutti stop`: no instance runs until `tutti start` */
  stopped: boolean;
  /** port of the service's stable endpoint, kept so dependents' URLs survive a daemon restart */
  endpointPort?: number;
}

export interface NewEvent {
  time: number;
  kind: string;
  service?: string;
  instance?: string;
  message: string;
}

export interface StoredEvent extends NewEvent {
  /** increasing, never reused (not even after old events are pruned) */
  id: number;
}

export interface EventQuery {
  /** only events after this id, oldest first; without it, the newest `limit` events, oldest first */
  sinceId?: number;
  /** default 1000 */
  limit?: number;
}

export interface StackRepository {
  get(): Promise<StoredStack | undefined>;
  /** Stores the spec (appliedAt = now unless given) and, in the same transaction, forgets the
   *  desired state of services the spec no longer has. */
  put(spec: StackSpec, appliedAt?: number): Promise<void>;
  /** Forgets the stack and every service's desired state, atomically. */
  delete(): Promise<void>;
}

export interface ServiceRepository {
  list(): Promise<ServiceRecord[]>;
  get(name: string): Promise<ServiceRecord | undefined>;
  put(record: ServiceRecord): Promise<void>;
  delete(name: string): Promise<void>;
}

export interface EventRepository {
  /** Appends an event; history beyond the retention (default 10,000 events) is pruned. */
  add(event: NewEvent): Promise<void>;
  list(query?: EventQuery): Promise<StoredEvent[]>;
}

/** An external registration as the registry keeps it (RegistryInstance of src/registry/types.ts,
 *  a layer below this one): the whole object is stored as JSON and comes back as it was put. */
export interface RegistryRecord {
  id: string;
  service: string;
}

export interface RegistryRepository {
  /** every stored registration, ordered by id */
  list(): Promise<RegistryRecord[]>;
  /** stores the record, replacing the one with the same id */
  put(record: RegistryRecord): Promise<void>;
  /** forgets a registration; unknown ids are ignored */
  delete(id: string): Promise<void>;
  /** Several puts and deletes in one transaction (the registry's batched writes): deletes
   *  first, then puts; a put listed twice for one id keeps the last. */
  write(changes: { put?: RegistryRecord[]; delete?: string[] }): Promise<void>;
}

/** Single values the control plane keeps between daemons (the registry's index, the DNS port). */
export interface MetaRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export interface Store {
  readonly stack: StackRepository;
  readonly services: ServiceRepository;
  readonly instances: InstanceStore;
  readonly events: EventRepository;
  readonly registry: RegistryRepository;
  readonly meta: MetaRepository;
  /** workflow definitions and runs (their latest state, written in batches by the run journal) */
  readonly workflows: WorkflowRepository;
  /** Waits for the calls already made, then releases the database; later calls are refused. Idempotent. */
  close(): Promise<void>;
}

export interface StoreOptions {
  /** events kept in the history; older ones are pruned as new ones arrive. Default 10,000. */
  eventRetention?: number;
}

export const DEFAULT_EVENT_RETENTION = 10_000;
export const DEFAULT_EVENT_LIMIT = 1000;
