// The service registry (Registry of types.ts): local instances fed by the orchestrator,
// external ones registered through the API with their checks, one stack-wide index bumped by
// every change, a bounded history for watchers and blocking queries. External registrations
// and the last index are stored, so a restarted daemon keeps them and its index never goes
// back; the history itself is not, so watchers of the previous daemon re-list (reset).

import { closest, distance } from 'fastest-levenshtein';
import { TuttiError, type InstanceInfo } from '../core/index.js';
import type { MetaRepository, RegistryRecord, RegistryRepository } from '../store/index.js';
import { ChangeLog, DEFAULT_HISTORY_SIZE } from './change-log.js';
import { ChangeWaiters } from './change-waiters.js';
import { HealthChecks } from './health-checks.js';
import { InstanceTable } from './instance-table.js';
import { changed, isListed, localView } from './local-instances.js';
import { INDEX_KEY, Persister } from './persister.js';
import { compileRegistration } from './registration.js';
import type {
  ChangeBatch,
  CheckStatus,
  InstanceFilter,
  RegisterInput,
  Registry,
  RegistryEvent,
  RegistryInstance,
  ServiceSummary,
} from './types.js';

export interface RegistryLogger {
  warn(obj: object, msg: string): void;
}

export interface RegistryOptions {
  /** where external registrations are kept (the daemon's `store.registry`) */
  store: RegistryRepository;
  /** where the index is kept (the daemon's `store.meta`); without it a restarted daemon only
   *  knows the index from the stored registrations, and may hand out an index again */
  meta?: MetaRepository;
  /** ms since epoch; injected by tests */
  now?: () => number;
  logger?: RegistryLogger;
  /** changes kept for watchers that resume; default 10,000 */
  historySize?: number;
}

const STATUSES: ReadonlySet<string> = new Set(['passing', 'warning', 'critical']);

/** A stored registration as this daemon can use it, or undefined for a damaged record. */
function restore(record: RegistryRecord): RegistryInstance | undefined {
  const r = record as Partial<RegistryInstance>;
  const ok =
    typeof r.id === 'string' && typeof r.service === 'string' && typeof r.address === 'string' && typeof r.port === 'number' &&
    Array.isArray(r.tags) && typeof r.meta === 'object' && r.meta !== null && STATUSES.has(r.status as string) &&
    typeof r.registeredAt === 'number' && typeof r.modifyIndex === 'number';
  return ok ? ({ ...r, source: 'external' } as RegistryInstance) : undefined;
}

export async function createRegistry(opts: RegistryOptions): Promise<Registry> {
  const [records, saved] = await Promise.all([opts.store.list(), opts.meta?.get(INDEX_KEY)]);
  const loaded: RegistryInstance[] = [];
  for (const record of records) {
    const instance = restore(record);
    if (instance) loaded.push(instance);
    else opts.logger?.warn({ id: record.id }, 'ignoring a stored registration this version cannot read');
  }
  const savedIndex = Number(saved ?? 0);
  const reserved = Number.isSafeInteger(savedIndex) && savedIndex > 0 ? savedIndex : 0;
  const previous = Math.max(reserved, ...loaded.map((i) => i.modifyIndex));
  // A daemon that follows another starts past every index that one handed out: its local
  // instances and its history died with it, so its watchers must re-list.
  const start = saved === undefined && loaded.length === 0 ? 0 : previous + 1;
  return new ServiceRegistry(opts, start, loaded, reserved);
}

class ServiceRegistry implements Registry {
  private readonly now: () => number;
  private readonly table = new InstanceTable();
  private readonly log: ChangeLog;
  private readonly waiters = new ChangeWaiters();
  private readonly listeners = new Set<(event: RegistryEvent) => void>();
  private readonly declared = new Set<string>();
  /** every service that had an instance in this daemon's life: a lookup of one that has none left answers [] */
  private readonly seen = new Set<string>();
  private readonly persister: Persister;
  private readonly checks: HealthChecks;
  private closed = false;

  constructor(private readonly opts: RegistryOptions, start: number, loaded: RegistryInstance[], reserved: number) {
    this.now = opts.now ?? Date.now;
    this.log = new ChangeLog(opts.historySize ?? DEFAULT_HISTORY_SIZE, start);
    this.persister = new Persister(opts.store, opts.meta, opts.logger, reserved);
    this.checks = new HealthChecks({
      now: this.now,
      report: (id, status, output) => this.report(id, status, output),
      expire: (id) => this.expire(id),
    });
    if (start > 0) this.persister.index(start);
    const loadedAt = this.now();
    for (const stored of loaded) {
      // the daemon was down, so nobody could heartbeat: each instance gets its full TTL and
      // deregistration window again, counted from now
      const instance: RegistryInstance = { ...stored };
      if (instance.criticalSince !== undefined) instance.criticalSince = loadedAt;
      if (instance.check?.ttlMs !== undefined) instance.lastHeartbeatAt = loadedAt;
      this.table.set(instance);
      this.seen.add(instance.service);
      this.checks.start(instance);
    }
  }

  index(): number {
    return this.log.index;
  }

  async register(input: RegisterInput): Promise<RegistryInstance> {
    this.assertOpen();
    const reg = compileRegistration(input);
    const existing = this.table.get(reg.id);
    if (existing?.source === 'local') {
      throw new TuttiError('TUTTI_E_BAD_REQUEST', `invalid registration: id ${JSON.stringify(reg.id)} belongs to an instance tutti runs`, {
        hint: 'leave id out to get a generated one, or pick another',
        details: { field: 'id' },
      });
    }
    const now = this.now();
    const instance: RegistryInstance = { ...reg, status: 'passing', source: 'external', registeredAt: now, modifyIndex: 0 };
    if (reg.check?.ttlMs !== undefined) instance.lastHeartbeatAt = now;
    else if (reg.check) {
      // like Consul: an instance with a probe is not trusted before its first answer
      instance.status = 'critical';
      instance.output = 'waiting for the first check';
      instance.criticalSince = now;
    }
    if (existing && existing.service !== reg.service) this.commit('deregistered', existing);
    const stored = this.commit(existing && existing.service === reg.service ? 'updated' : 'registered', instance);
    this.checks.start(stored);
    await this.persister.instance(stored.id, stored);
    return stored;
  }

  async deregister(id: string): Promise<RegistryInstance> {
    this.assertOpen();
    const existing = this.requireInstance(id);
    if (existing.source === 'local') {
      throw new TuttiError('TUTTI_E_BAD_REQUEST', `instance ${id} is run by tutti and cannot be deregistered`, {
        hint: `stop the service instead: tutti stop ${existing.service}`,
      });
    }
    const gone = this.remove(existing);
    await this.persister.instance(id, null);
    return gone;
  }

  async heartbeat(id: string, report: { status?: CheckStatus; output?: string } = {}): Promise<RegistryInstance> {
    this.assertOpen();
    const existing = this.requireInstance(id);
    if (existing.check?.ttlMs === undefined) {
      throw new TuttiError('TUTTI_E_BAD_REQUEST', `instance ${id} has no TTL check, so it takes no heartbeats`, {
        hint: existing.source === 'local' ? 'tutti checks the instances it runs itself' : 'register it with check: { ttl: "10s" } to heartbeat it',
      });
    }
    if (report.status !== undefined && !STATUSES.has(report.status)) {
      throw new TuttiError('TUTTI_E_BAD_REQUEST', `invalid heartbeat: status ${JSON.stringify(report.status)} is not one of passing, warning, critical`, {
        details: { field: 'status' },
      });
    }
    this.checks.heartbeat(id);
    const updated = this.apply(existing, report.status ?? 'passing', report.output, { lastHeartbeatAt: this.now() });
    if (updated.modifyIndex !== existing.modifyIndex) await this.persister.instance(id, updated);
    return updated;
  }

  setDeclaredServices(names: readonly string[]): void {
    this.declared.clear();
    for (const n of names) this.declared.add(n);
    this.table.invalidateSummaries();
  }

  syncLocal(info: InstanceInfo, removed = false): void {
    if (this.closed) return;
    const existing = this.table.get(info.id);
    if (removed || !isListed(info)) {
      if (existing?.source === 'local') this.remove(existing);
      return;
    }
    const view = localView(info);
    if (!changed(existing, view)) return;
    if (existing?.source === 'external') {
      // tutti now runs an instance with this id: the old registration is stale
      this.checks.stop(existing.id);
      this.persister.instance(existing.id, null).catch(() => {});
    }
    const now = this.now();
    const instance: RegistryInstance = {
      ...view,
      tags: [],
      source: 'local',
      registeredAt: existing?.source === 'local' ? existing.registeredAt : now,
      modifyIndex: 0,
    };
    if (view.status === 'critical') instance.criticalSince = existing?.criticalSince ?? now;
    if (existing && existing.service !== view.service) this.commit('deregistered', existing);
    this.commit(existing && existing.service === view.service ? 'updated' : 'registered', instance);
  }

  get(id: string): RegistryInstance | undefined {
    return this.table.get(id);
  }

  instances(service: string, filter: InstanceFilter = {}): RegistryInstance[] {
    const list = this.table.list(service);
    if (!list) {
      if (this.declared.has(service) || this.seen.has(service)) return [];
      throw this.unknownService(service);
    }
    const tags = filter.tags ?? [];
    if (!filter.healthy && tags.length === 0) return list.slice();
    return list.filter((i) => (!filter.healthy || i.status !== 'critical') && tags.every((t) => i.tags.includes(t)));
  }

  services(): ServiceSummary[] {
    return this.table.summarise(this.declared).slice();
  }

  changes(sinceIndex: number, service?: string): ChangeBatch {
    return this.log.since(sinceIndex, service);
  }

  waitForChange(sinceIndex: number, opts: { service?: string; timeoutMs: number; signal?: AbortSignal }): Promise<ChangeBatch> {
    const now = this.changes(sinceIndex, opts.service);
    if (now.reset || now.events.length > 0 || this.closed) return Promise.resolve(now);
    return this.waiters.park(
      opts.service,
      opts.timeoutMs,
      opts.signal,
      () => this.changes(sinceIndex, opts.service),
      () => ({ index: this.log.index, events: [], reset: false }),
    );
  }

  subscribe(listener: (event: RegistryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.checks.stopAll();
    this.waiters.releaseAll();
    await this.persister.idle();
  }

  // ---- changes ---------------------------------------------------------------------------

  /** Records a change: next index, stored in memory, history, listeners, blocking queries. */
  private commit(type: RegistryEvent['type'], instance: RegistryInstance): RegistryInstance {
    const stamped: RegistryInstance = { ...instance, modifyIndex: this.log.index + 1 };
    const event = this.log.append(type, stamped);
    if (type === 'deregistered') this.table.delete(stamped.id);
    else {
      this.table.set(stamped);
      this.seen.add(stamped.service);
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.opts.logger?.warn({ err }, 'a registry listener failed');
      }
    }
    this.waiters.notify(event);
    this.persister.index(event.index);
    return stamped;
  }

  private remove(instance: RegistryInstance): RegistryInstance {
    this.checks.stop(instance.id);
    return this.commit('deregistered', instance);
  }

  /** New status/output of an instance; a change only when one of them differs. */
  private apply(existing: RegistryInstance, status: CheckStatus, output: string | undefined, extra: Partial<RegistryInstance> = {}): RegistryInstance {
    const next: RegistryInstance = { ...existing, ...extra, status };
    if (output === undefined) delete next.output;
    else next.output = output;
    if (status === 'critical') next.criticalSince = existing.criticalSince ?? this.now();
    else delete next.criticalSince;
    if (existing.status === status && existing.output === next.output) {
      // nothing a watcher sees: keep the index, remember the heartbeat time
      if (Object.keys(extra).length > 0) this.table.set(next);
      return this.table.get(existing.id)!;
    }
    const stored = this.commit('updated', next);
    this.checks.critical(stored);
    return stored;
  }

  private report(id: string, status: CheckStatus, output: string | undefined): void {
    const existing = this.table.get(id);
    if (!existing || existing.source !== 'external' || this.closed) return;
    const updated = this.apply(existing, status, output);
    if (updated.modifyIndex !== existing.modifyIndex) this.persister.instance(id, updated).catch(() => {});
  }

  private expire(id: string): void {
    const existing = this.table.get(id);
    if (!existing || existing.source !== 'external' || existing.status !== 'critical' || this.closed) return;
    this.remove(existing);
    this.persister.instance(id, null).catch(() => {});
  }

  // ---- lookups ---------------------------------------------------------------------------

  private requireInstance(id: string): RegistryInstance {
    const instance = this.table.get(id);
    if (!instance) {
      throw new TuttiError('TUTTI_E_NOT_FOUND', `no instance with id ${id} is registered`, {
        hint: 'it may have been deregistered after being critical for too long; register it again',
      });
    }
    return instance;
  }

  private unknownService(service: string): TuttiError {
    const known = [...new Set([...this.declared, ...this.table.serviceNames(), ...this.seen])];
    const near = known.length > 0 ? closest(service, known) : undefined;
    const close = near !== undefined && distance(service, near) <= Math.max(1, Math.floor(service.length / 3));
    const hint = close
      ? `did you mean "${near}"?`
      : known.length > 0
        ? `known services: ${known.sort().slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}`
        : 'register an instance of it, or declare it in tutti.yaml';
    return new TuttiError('TUTTI_E_NOT_FOUND', `no service named ${service} is declared by the stack or registered`, { hint });
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new TuttiError('TUTTI_E_INTERNAL', 'the registry is closed', { hint: 'the control plane is shutting down; try again when it is back' });
    }
  }
}
