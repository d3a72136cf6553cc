// The run journal's group commit on SQLite, without the query builder: two statements prepared
// once and run per row inside one transaction. Through Kysely every commit compiled and
// prepared multi-row statements whose text changes with the batch size (hundreds of
// parameters), which cost more CPU than the writes themselves. Same contract as the portable
// version in kysely-workflows.ts (the store contract suite runs against this one).

import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { isTerminal, json, newRunRow } from './kysely-workflows.js';
import type { Database } from './schema.js';
import type { WorkflowRepository } from './workflow-records.js';

type SaveRunStates = WorkflowRepository['saveRunStates'];

export function sqliteSaveRunStates(db: Kysely<Database>, sqlite: BetterSqlite3.Database): SaveRunStates {
  const insert = sqlite.prepare(
    `insert into workflow_runs (id, workflow, version, status, input, output, error, state, created_at, updated_at, ended_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing`,
  );
  // the first terminal status stamps ended_at; a run resumed from suspended has none
  const update = sqlite.prepare(
    `update workflow_runs set status = ?, state = ?, output = ?, error = ?, updated_at = ?,
       ended_at = case when ? is null then null else coalesce(ended_at, ?) end
     where id = ?`,
  );
  const write = sqlite.transaction((created: ReturnType<typeof newRunRow>[], rows: Row[]) => {
    const missing: string[] = [];
    const duplicates: string[] = [];
    for (const r of created) {
      const done = insert.run(r.id, r.workflow, r.version, r.status, r.input, r.output, r.error, r.state, r.created_at, r.updated_at, r.ended_at);
      if (done.changes === 0) duplicates.push(r.id);
    }
    for (const r of rows) {
      const done = update.run(r.status, r.state, r.output, r.error, r.updatedAt, r.endedAt, r.endedAt, r.id);
      if (done.changes === 0) missing.push(r.id);
    }
    return { missing, duplicates };
  });

  return async (updates, create = []) => {
    // serialise now, before the first await: the caller may mutate its objects once we return
    const now = Date.now();
    const created = create.map((r) => newRunRow(r, now));
    const latest = new Map(updates.map((u) => [u.id, u]));
    const rows: Row[] = [...latest.values()].map((u) => ({
      id: u.id,
      status: u.status,
      state: JSON.stringify(u.state),
      output: json(u.output),
      error: json(u.error),
      updatedAt: u.updatedAt,
      endedAt: isTerminal(u.status) ? u.updatedAt : null,
    }));
    if (created.length === 0 && rows.length === 0) return { missing: [], duplicates: [] };
    // through Kysely's connection: its other queries (and transactions awaiting between their
    // statements) hold the same connection, so this waits its turn instead of interleaving
    return db.connection().execute(async () => write(created, rows));
  };
}

interface Row {
  id: string;
  status: string;
  state: string;
  output: string | null;
  error: string | null;
  updatedAt: number;
  endedAt: number | null;
}
