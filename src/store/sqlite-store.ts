// The default store: one SQLite file beside the manifest (`.tutti/state.db`), through
// better-sqlite3. WAL lets readers proceed while the daemon writes; NORMAL synchronous is
// durable across process crashes (the daemon's SIGKILL case), which is what we need.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { TuttiError } from '../core/index.js';
import { KyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations/index.js';
import { sqliteSaveRunStates } from './sqlite-run-states.js';
import type { Database } from './schema.js';
import type { Store, StoreOptions } from './store.js';

const BUSY_TIMEOUT_MS = 5000;

/** Opens (creating if needed) the SQLite database at `file` (or ':memory:') and migrates it. */
export async function openSqliteStore(file: string, opts: StoreOptions = {}): Promise<Store> {
  let sqlite: BetterSqlite3.Database;
  try {
    if (file !== ':memory:' && !file.startsWith('file:')) mkdirSync(dirname(file), { recursive: true });
    sqlite = new BetterSqlite3(file);
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
  } catch (e) {
    throw new TuttiError('TUTTI_E_INTERNAL', `cannot open the state database at ${file}: ${(e as Error).message}`, {
      hint: 'check that the folder is writable and the file is a SQLite database',
      cause: e,
    });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await migrateToLatest(db, 'sqlite', file);
    return new KyselyStore(db, opts, { workflows: { saveRunStates: sqliteSaveRunStates(db, sqlite) } });
  } catch (e) {
    await db.destroy();
    throw e;
  }
}
