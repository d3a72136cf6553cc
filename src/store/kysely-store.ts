// The Store over any Kysely dialect. Dialect differences stay in the migrations and in the
// opener (sqlite-store.ts, later postgres-store.ts); the queries here are portable SQL.

import type { Kysely, Selectable } from 'kysely';
import { TuttiError, type StackSpec } from '../core/index.js';
import type { InstanceRecord, InstanceStore } from '../runtime/contract.js';
import { workflowRepository } from './kysely-workflows.js';
import type { Database, EventsTable, ServicesTable } from './schema.js';
import {
  DEFAULT_EVENT_LIMIT,
  DEFAULT_EVENT_RETENTION,
  type EventQuery,
  type EventRepository,
  type MetaRepository,
  type RegistryRecord,
  type RegistryRepository,
  type NewEvent,
  type ServiceRecord,
  type ServiceRepository,
  type StackRepository,
  type Store,
  type StoreOptions,
  type StoredEvent,
  type StoredStack,
} from './store.js';
import type { WorkflowRepository } from './workflow-records.js';

const STACK_ROW = 1;
/** rows per statement of a batched write: 4 parameters each, well under SQLite's 32,766 */
const WRITE_CHUNK = 500;

export class KyselyStore implements Store {
  readonly stack: StackRepository;
  readonly services: ServiceRepository;
  readonly instances: InstanceStore;
  readonly events: EventRepository;
  readonly registry: RegistryRepository;
  readonly meta: MetaRepository;
  readonly workflows: WorkflowRepository;
  private readonly pending = new Set<Promise<unknown>>();
  private closing?: Promise<void>;

  /** `fast`: a driver's faster versions of some methods (same contract), e.g. SQLite's group commit */
  constructor(private readonly db: Kysely<Database>, opts: StoreOptions = {}, fast: { workflows?: Partial<Pick<WorkflowRepository, 'saveRunStates'>> } = {}) {
    const retention = opts.eventRetention ?? DEFAULT_EVENT_RETENTION;
    if (!Number.isInteger(retention) || retention < 1) throw new RangeError('eventRetention must be a positive integer');
    this.stack = this.guard(stackRepository(db));
    this.services = this.guard(serviceRepository(db));
    this.instances = this.guard(instanceRepository(db));
    this.events = this.guard(eventRepository(db, retention));
    this.registry = this.guard(registryRepository(db));
    this.meta = this.guard(metaRepository(db));
    this.workflows = this.guard(workflowRepository(db, fast.workflows));
  }

  close(): Promise<void> {
    // Kysely's destroy closes the database under queries still queued for the connection,
    // so wait for every operation already started (a write accepted is a write kept).
    this.closing ??= (async () => {
      while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
      await this.db.destroy();
    })();
    return this.closing;
  }

  /** Every repository call is tracked for close(), and refused once close() began. */
  private guard<T extends object>(repo: T): T {
    const out: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(repo) as Array<[string, (...args: unknown[]) => Promise<unknown>]>) {
      out[name] = (...args: unknown[]) => {
        if (this.closing) {
          return Promise.reject(
            new TuttiError('TUTTI_E_INTERNAL', 'the state database is closed', { hint: 'the control plane is shutting down' }),
          );
        }
        const p = fn(...args);
        this.pending.add(p);
        p.then(
          () => this.pending.delete(p),
          () => this.pending.delete(p),
        );
        return p;
      };
    }
    return out as T;
  }
}

function stackRepository(db: Kysely<Database>): StackRepository {
  return {
    async get(): Promise<StoredStack | undefined> {
      const row = await db.selectFrom('stack').selectAll().where('id', '=', STACK_ROW).executeTakeFirst();
      return row ? { spec: JSON.parse(row.spec) as StackSpec, appliedAt: Number(row.applied_at) } : undefined;
    },
    async put(spec: StackSpec, appliedAt = Date.now()): Promise<void> {
      const json = JSON.stringify(spec);
      const names = Object.keys(spec.services);
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('stack')
          .values({ id: STACK_ROW, spec: json, applied_at: appliedAt })
          .onConflict((oc) => oc.column('id').doUpdateSet({ spec: json, applied_at: appliedAt }))
          .execute();
        let gone = trx.deleteFrom('services');
        if (names.length > 0) gone = gone.where('name', 'not in', names);
        await gone.execute();
      });
    },
    async delete(): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('stack').execute();
        await trx.deleteFrom('services').execute();
      });
    },
  };
}

function toServiceRecord(row: Selectable<ServicesTable>): ServiceRecord {
  const out: ServiceRecord = { name: row.name, replicas: Number(row.replicas), stopped: Number(row.stopped) === 1 };
  if (row.endpoint_port !== null) out.endpointPort = Number(row.endpoint_port);
  return out;
}

function serviceRepository(db: Kysely<Database>): ServiceRepository {
  return {
    async list(): Promise<ServiceRecord[]> {
      const rows = await db.selectFrom('services').selectAll().orderBy('name').execute();
      return rows.map(toServiceRecord);
    },
    async get(name: string): Promise<ServiceRecord | undefined> {
      const row = await db.selectFrom('services').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toServiceRecord(row) : undefined;
    },
    async put(record: ServiceRecord): Promise<void> {
      const values = {
        replicas: record.replicas,
        stopped: record.stopped ? 1 : 0,
        endpoint_port: record.endpointPort ?? null,
        updated_at: Date.now(),
      };
      await db
        .insertInto('services')
        .values({ name: record.name, ...values })
        .onConflict((oc) => oc.column('name').doUpdateSet(values))
        .execute();
    },
    async delete(name: string): Promise<void> {
      await db.deleteFrom('services').where('name', '=', name).execute();
    },
  };
}

function instanceRepository(db: Kysely<Database>): InstanceStore {
  return {
    async list(): Promise<InstanceRecord[]> {
      const rows = await db.selectFrom('instances').selectAll().orderBy('id').execute();
      return rows.map((r) => ({ id: r.id, service: r.service, data: JSON.parse(r.data) as unknown }));
    },
    async put(record: InstanceRecord): Promise<void> {
      const values = { service: record.service, data: JSON.stringify(record.data ?? null), updated_at: Date.now() };
      await db
        .insertInto('instances')
        .values({ id: record.id, ...values })
        .onConflict((oc) => oc.column('id').doUpdateSet(values))
        .execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('instances').where('id', '=', id).execute();
    },
  };
}

function toStoredEvent(row: Selectable<EventsTable>): StoredEvent {
  const out: StoredEvent = { id: Number(row.id), time: Number(row.time), kind: row.kind, message: row.message };
  if (row.service !== null) out.service = row.service;
  if (row.instance !== null) out.instance = row.instance;
  return out;
}

function eventRepository(db: Kysely<Database>, retention: number): EventRepository {
  return {
    async add(event: NewEvent): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('events')
          .values({
            time: event.time,
            kind: event.kind,
            service: event.service ?? null,
            instance: event.instance ?? null,
            message: event.message,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const id = Number(row.id);
        // ids only grow, so everything at or below (newest id − retention) is beyond the window
        if (id > retention) await trx.deleteFrom('events').where('id', '<=', id - retention).execute();
      });
    },
    async list(query: EventQuery = {}): Promise<StoredEvent[]> {
      const limit = Math.max(0, Math.floor(query.limit ?? DEFAULT_EVENT_LIMIT));
      if (limit === 0) return [];
      if (query.sinceId !== undefined) {
        const rows = await db
          .selectFrom('events')
          .selectAll()
          .where('id', '>', query.sinceId)
          .orderBy('id', 'asc')
          .limit(limit)
          .execute();
        return rows.map(toStoredEvent);
      }
      const rows = await db.selectFrom('events').selectAll().orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toStoredEvent).reverse();
    },
  };
}

function registryRepository(db: Kysely<Database>): RegistryRepository {
  return {
    async list(): Promise<RegistryRecord[]> {
      const rows = await db.selectFrom('registry_instances').select(['id', 'service', 'data']).orderBy('id').execute();
      return rows.map((r) => ({ ...(JSON.parse(r.data) as object), id: r.id, service: r.service }));
    },
    async put(record: RegistryRecord): Promise<void> {
      const values = { service: record.service, data: JSON.stringify(record), updated_at: Date.now() };
      await db
        .insertInto('registry_instances')
        .values({ id: record.id, ...values })
        .onConflict((oc) => oc.column('id').doUpdateSet(values))
        .execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('registry_instances').where('id', '=', id).execute();
    },
    async write(changes: { put?: RegistryRecord[]; delete?: string[] }): Promise<void> {
      // one row per id (PostgreSQL refuses an upsert that touches a row twice), the last put winning
      const puts = [...new Map((changes.put ?? []).map((r) => [r.id, r])).values()];
      const deletes = changes.delete ?? [];
      if (puts.length === 0 && deletes.length === 0) return;
      const now = Date.now();
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < deletes.length; i += WRITE_CHUNK) {
          await trx.deleteFrom('registry_instances').where('id', 'in', deletes.slice(i, i + WRITE_CHUNK)).execute();
        }
        for (let i = 0; i < puts.length; i += WRITE_CHUNK) {
          const rows = puts.slice(i, i + WRITE_CHUNK).map((r) => ({ id: r.id, service: r.service, data: JSON.stringify(r), updated_at: now }));
          await trx
            .insertInto('registry_instances')
            .values(rows)
            .onConflict((oc) =>
              oc.column('id').doUpdateSet((eb) => ({
                service: eb.ref('excluded.service'),
                data: eb.ref('excluded.data'),
                updated_at: eb.ref('excluded.updated_at'),
              })),
            )
            .execute();
        }
      });
    },
  };
}

function metaRepository(db: Kysely<Database>): MetaRepository {
  return {
    async get(key: string): Promise<string | undefined> {
      const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value;
    },
    async set(key: string, value: string): Promise<void> {
      const values = { value, updated_at: Date.now() };
      await db
        .insertInto('meta')
        .values({ key, ...values })
        .onConflict((oc) => oc.column('key').doUpdateSet(values))
        .execute();
    },
  };
}
