import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { TuttiError } from '../core/index.js';
import { KyselyStore } from './kysely-store.js';
import { migrateToLatest, migrations } from './migrations/index.js';
import type { Database } from './schema.js';
import { openSqliteStore } from './sqlite-store.js';
import { runStoreContract, stackSpec } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'tutti-store-'));
let n = 0;
const fresh = () => join(dir, `db-${n++}`, 'state.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sqlite store (file)', () => {
  runStoreContract((opts) => openSqliteStore(fresh(), opts));
});

describe('sqlite store (:memory:)', () => {
  runStoreContract((opts) => openSqliteStore(':memory:', opts));
});

// the portable queries, which SQLite's faster group commit replaces (PostgreSQL keeps them)
describe('kysely store without the sqlite fast path', () => {
  runStoreContract(async (opts) => {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    await migrateToLatest(db, 'sqlite', ':memory:');
    return new KyselyStore(db, opts);
  });
});

describe('sqlite store specifics', () => {
  it('creates the folder and puts the database in WAL mode', async () => {
    const file = fresh();
    const store = await openSqliteStore(file);
    await store.close();
    const raw = new BetterSqlite3(file);
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it('keeps everything across close and reopen, and migrating again is a no-op', async () => {
    const file = fresh();
    const spec = stackSpec('shop', ['catalog', 'orders']);
    const a = await openSqliteStore(file);
    await a.stack.put(spec, 42);
    await a.services.put({ name: 'orders', replicas: 3, stopped: false, endpointPort: 40100 });
    await a.instances.put({ id: 'orders-1', service: 'orders', data: { pid: 7 } });
    await a.events.add({ time: 1, kind: 'k', message: 'hello' });
    await a.registry.put({ id: 'pay-1', service: 'payments' });
    await a.meta.set('registry.index', '7');
    await a.close();

    const b = await openSqliteStore(file);
    try {
      expect(await b.stack.get()).toEqual({ spec, appliedAt: 42 });
      expect(await b.services.get('orders')).toEqual({ name: 'orders', replicas: 3, stopped: false, endpointPort: 40100 });
      expect(await b.instances.list()).toEqual([{ id: 'orders-1', service: 'orders', data: { pid: 7 } }]);
      expect(await b.events.list()).toEqual([{ id: 1, time: 1, kind: 'k', message: 'hello' }]);
      expect(await b.registry.list()).toEqual([{ id: 'pay-1', service: 'payments' }]);
      expect(await b.meta.get('registry.index')).toBe('7');
    } finally {
      await b.close();
    }
  });

  it('keeps every write that was accepted before close', async () => {
    const file = fresh();
    const a = await openSqliteStore(file);
    const writes = Array.from({ length: 30 }, (_, i) => a.events.add({ time: i, kind: 'k', message: `m${i}` }));
    await a.close();
    await Promise.all(writes);
    const b = await openSqliteStore(file);
    try {
      expect(await b.events.list({ limit: 100 })).toHaveLength(30);
    } finally {
      await b.close();
    }
  });

  it('sees writes made by another connection to the same file (WAL readers)', async () => {
    const file = fresh();
    const a = await openSqliteStore(file);
    const b = await openSqliteStore(file);
    try {
      await a.services.put({ name: 'x', replicas: 1, stopped: false });
      expect(await b.services.get('x')).toEqual({ name: 'x', replicas: 1, stopped: false });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('upgrades a database of the first schema and keeps what it held', async () => {
    const file = fresh();
    mkdirSync(dirname(file), { recursive: true });
    const old = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
    const provider = { getMigrations: async () => ({ '0001-initial': migrations('sqlite')['0001-initial'] }) };
    const { error } = await new Migrator({ db: old, provider }).migrateToLatest();
    expect(error).toBeUndefined();
    await old.insertInto('services').values({ name: 'orders', replicas: 2, stopped: 0, endpoint_port: null, updated_at: 1 }).execute();
    await old.destroy();

    const store = await openSqliteStore(file);
    try {
      expect(await store.services.get('orders')).toEqual({ name: 'orders', replicas: 2, stopped: false });
      await store.registry.put({ id: 'pay-1', service: 'payments' });
      expect(await store.registry.list()).toEqual([{ id: 'pay-1', service: 'payments' }]);
    } finally {
      await store.close();
    }
  });

  it('refuses a database written by a newer tutti, with a hint', async () => {
    const file = fresh();
    await (await openSqliteStore(file)).close();
    const raw = new BetterSqlite3(file);
    raw.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run('9999-future', new Date().toISOString());
    raw.close();
    const err = await openSqliteStore(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TuttiError);
    expect((err as TuttiError).message).toMatch(/newer version of tutti/);
    expect((err as TuttiError).hint).toBeTruthy();
  });

  it('reports a file that is not a database as a coded error', async () => {
    const file = join(dir, 'garbage.db');
    writeFileSync(file, 'this is not sqlite'.repeat(100));
    const err = await openSqliteStore(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TuttiError);
    expect((err as TuttiError).code).toBe('TUTTI_E_INTERNAL');
    expect((err as TuttiError).message).toContain(file);
  });

  it('rolls the whole stack.put back when one of its statements fails', async () => {
    const file = fresh();
    const store = await openSqliteStore(file);
    try {
      await store.stack.put(stackSpec('shop', ['a']), 1);
      await store.services.put({ name: 'a', replicas: 2, stopped: false });
      // make the second statement of the transaction (pruning services) fail
      const raw = new BetterSqlite3(file);
      raw.exec("create trigger block before delete on services begin select raise(abort, 'blocked'); end");
      raw.close();
      await expect(store.stack.put(stackSpec('shop', ['b']), 2)).rejects.toThrow(/blocked/);
      expect(await store.stack.get()).toEqual({ spec: stackSpec('shop', ['a']), appliedAt: 1 });
      expect(await store.services.get('a')).toEqual({ name: 'a', replicas: 2, stopped: false });
    } finally {
      await store.close();
    }
  });

  it('rolls a whole batch of run states back when one of its statements fails', async () => {
    const file = fresh();
    const store = await openSqliteStore(file);
    try {
      const run = (id: string) => ({ id, workflow: 'order', version: '1', input: {}, state: { v: 0 }, createdAt: 1 });
      await store.workflows.createRun(run('a'));
      await store.workflows.createRun(run('b'));
      const raw = new BetterSqlite3(file);
      raw.exec("create trigger block before update on workflow_runs when new.id = 'b' begin select raise(abort, 'blocked'); end");
      raw.close();
      await expect(
        store.workflows.saveRunStates(
          [{ id: 'a', status: 'running', state: { v: 1 }, updatedAt: 2 }, { id: 'b', status: 'running', state: { v: 1 }, updatedAt: 2 }],
          [run('c')],
        ),
      ).rejects.toThrow(/blocked/);
      expect((await store.workflows.getRun('a'))?.state).toEqual({ v: 0 });
      expect(await store.workflows.getRun('c')).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
