// The WorkflowRepository over Kysely: definitions by name and version, runs with their latest
// state. saveRunStates is the journal's group commit, so it serialises everything before its
// transaction starts and writes the whole batch in that one transaction.

import { sql, type Kysely, type Selectable } from 'kysely';
import { TuttiError } from '../core/index.js';
import type { Database, WorkflowDefinitionsTable, WorkflowRunsTable } from './schema.js';
import {
  DEFAULT_RUN_LIMIT,
  MAX_RUN_LIMIT,
  TERMINAL_RUN_STATUSES,
  type NewWorkflowRun,
  type WorkflowDefinitionRecord,
  type WorkflowRepository,
  type WorkflowRunPage,
  type WorkflowRunQuery,
  type WorkflowRunRecord,
  type WorkflowRunStatus,
  type WorkflowRunSummary,
  type WorkflowRunUpdate,
} from './workflow-records.js';

/** rows per statement: 11 parameters each, well under SQLite's 32,766 */
const INSERT_CHUNK = 500;
const SUMMARY_COLUMNS = ['id', 'workflow', 'version', 'status', 'input', 'output', 'error', 'created_at', 'updated_at', 'ended_at'] as const;

export const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
export const isTerminal = (s: WorkflowRunStatus) => TERMINAL_RUN_STATUSES.includes(s);

function toDefinition(row: Selectable<WorkflowDefinitionsTable>): WorkflowDefinitionRecord {
  return {
    name: row.name,
    version: row.version,
    source: row.source,
    document: JSON.parse(row.document) as Record<string, unknown>,
    createdAt: Number(row.created_at),
  };
}

function toSummary(row: Omit<Selectable<WorkflowRunsTable>, 'state'>): WorkflowRunSummary {
  const out: WorkflowRunSummary = {
    id: row.id,
    workflow: row.workflow,
    version: row.version,
    status: row.status as WorkflowRunStatus,
    input: JSON.parse(row.input) as unknown,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
  if (row.output !== null) out.output = JSON.parse(row.output) as unknown;
  if (row.error !== null) out.error = JSON.parse(row.error) as unknown;
  if (row.ended_at !== null) out.endedAt = Number(row.ended_at);
  return out;
}

function toRun(row: Selectable<WorkflowRunsTable>): WorkflowRunRecord {
  return { ...toSummary(row), state: JSON.parse(row.state) as Record<string, unknown> };
}

export function newRunRow(run: NewWorkflowRun, now: number) {
  const status = run.status ?? 'running';
  const createdAt = run.createdAt ?? now;
  const updatedAt = run.updatedAt ?? createdAt;
  return {
    id: run.id,
    workflow: run.workflow,
    version: run.version,
    status,
    input: JSON.stringify(run.input ?? null),
    output: json(run.output),
    error: json(run.error),
    state: JSON.stringify(run.state),
    created_at: createdAt,
    updated_at: updatedAt,
    ended_at: isTerminal(status) ? updatedAt : null,
  };
}

/** The cursor is the last run's (created_at, id): stable while newer runs arrive. */
function encodeCursor(run: WorkflowRunSummary): string {
  return `${run.createdAt}:${run.id}`;
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const at = cursor.indexOf(':');
  const createdAt = Number(cursor.slice(0, at));
  if (at < 1 || !Number.isSafeInteger(createdAt)) {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `the run listing cursor "${cursor}" is not one this server gave`, {
      hint: 'pass the `next` value of the previous page unchanged',
    });
  }
  return { createdAt, id: cursor.slice(at + 1) };
}

/** `saveRunStates` may be replaced by a driver's faster one (SQLite: sqlite-run-states.ts). */
export function workflowRepository(db: Kysely<Database>, fast: Partial<Pick<WorkflowRepository, 'saveRunStates'>> = {}): WorkflowRepository {
  const repo: WorkflowRepository = {
    async putDefinition(def): Promise<void> {
      const row = {
        name: def.name,
        version: def.version,
        source: def.source,
        document: JSON.stringify(def.document),
        created_at: def.createdAt ?? Date.now(),
      };
      await db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('workflow_definitions')
          .select('source')
          .where('name', '=', def.name)
          .where('version', '=', def.version)
          .executeTakeFirst();
        if (existing) {
          if (existing.source === def.source) return;
          throw new TuttiError('TUTTI_E_CONFLICT', `workflow ${def.name} version ${def.version} is already deployed with a different definition`, {
            hint: 'give the changed definition a new `document.version`; runs keep the version they started with',
          });
        }
        await trx.insertInto('workflow_definitions').values(row).execute();
      });
    },

    async getDefinition(name, version): Promise<WorkflowDefinitionRecord | undefined> {
      let q = db.selectFrom('workflow_definitions').selectAll().where('name', '=', name);
      q = version !== undefined ? q.where('version', '=', version) : q.orderBy('created_at', 'desc').orderBy('version', 'desc').limit(1);
      const row = await q.executeTakeFirst();
      return row ? toDefinition(row) : undefined;
    },

    async listDefinitions(name): Promise<WorkflowDefinitionRecord[]> {
      let q = db.selectFrom('workflow_definitions').selectAll();
      if (name !== undefined) q = q.where('name', '=', name);
      const rows = await q.orderBy('name').orderBy('created_at', 'desc').orderBy('version', 'desc').execute();
      return rows.map(toDefinition);
    },

    async createRun(run): Promise<void> {
      const row = newRunRow(run, Date.now());
      const inserted = await db
        .insertInto('workflow_runs')
        .values(row)
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
        throw new TuttiError('TUTTI_E_CONFLICT', `a workflow run with id ${run.id} already exists`, {
          hint: 'give each run a new id (a random UUID)',
        });
      }
    },

    async saveRunStates(updates, create = []): Promise<{ missing: string[]; duplicates: string[] }> {
      // serialise now, before the first await: the caller may mutate its objects once we return
      const now = Date.now();
      const created = create.map((r) => newRunRow(r, now));
      // one row per id, the last update winning (PostgreSQL refuses an upsert touching a row twice)
      const latest = [...new Map(updates.map((u) => [u.id, u])).values()];
      const rows = latest.map((u) => ({
        id: u.id,
        status: u.status,
        state: JSON.stringify(u.state),
        output: json(u.output),
        error: json(u.error),
        updated_at: u.updatedAt,
        ended_at: isTerminal(u.status) ? u.updatedAt : null,
      }));
      const missing: string[] = [];
      const duplicates: string[] = [];
      if (created.length === 0 && rows.length === 0) return { missing, duplicates };
      await db.transaction().execute(async (trx) => {
        // an id that exists already is skipped, not fatal: one bad row must not block the batch
        for (let i = 0; i < created.length; i += INSERT_CHUNK) {
          const chunk = created.slice(i, i + INSERT_CHUNK);
          const done = await trx
            .insertInto('workflow_runs')
            .values(chunk)
            .onConflict((oc) => oc.column('id').doNothing())
            .returning('id')
            .execute();
          const ids = new Set(done.map((r) => r.id));
          for (const r of chunk) if (!ids.has(r.id)) duplicates.push(r.id);
        }
        // Two statements per chunk, not one per run: find which runs exist, then write them all
        // with one multi-row upsert (its insert branch never taken: every id was just found).
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
          const chunk = rows.slice(i, i + INSERT_CHUNK);
          const found = await trx.selectFrom('workflow_runs').select('id').where('id', 'in', chunk.map((r) => r.id)).execute();
          const known = new Set(found.map((r) => r.id));
          const values = chunk.filter((r) => known.has(r.id));
          for (const r of chunk) if (!known.has(r.id)) missing.push(r.id);
          if (values.length === 0) continue;
          await trx
            .insertInto('workflow_runs')
            .values(values.map((r) => ({ ...r, workflow: '', version: '', input: 'null', created_at: 0 })))
            .onConflict((oc) =>
              oc.column('id').doUpdateSet((eb) => ({
                status: eb.ref('excluded.status'),
                state: eb.ref('excluded.state'),
                output: eb.ref('excluded.output'),
                error: eb.ref('excluded.error'),
                updated_at: eb.ref('excluded.updated_at'),
                // the first terminal status stamps ended_at; a run resumed from suspended has none
                ended_at: sql<number | null>`case when excluded.ended_at is null then null else coalesce(workflow_runs.ended_at, excluded.ended_at) end`,
              })),
            )
            .execute();
        }
      });
      return { missing, duplicates };
    },

    async getRun(id): Promise<WorkflowRunRecord | undefined> {
      const row = await db.selectFrom('workflow_runs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRun(row) : undefined;
    },

    async listRuns(query: WorkflowRunQuery = {}): Promise<WorkflowRunPage> {
      const limit = Math.min(MAX_RUN_LIMIT, Math.max(0, Math.floor(query.limit ?? DEFAULT_RUN_LIMIT)));
      if (limit === 0) return { runs: [] };
      let q = db.selectFrom('workflow_runs').select(SUMMARY_COLUMNS);
      if (query.workflow !== undefined) q = q.where('workflow', '=', query.workflow);
      if (query.status !== undefined) q = q.where('status', '=', query.status);
      if (query.since !== undefined) q = q.where('created_at', '>=', query.since);
      if (query.until !== undefined) q = q.where('created_at', '<', query.until);
      if (query.before !== undefined) {
        const c = decodeCursor(query.before);
        q = q.where((eb) =>
          eb.or([eb('created_at', '<', c.createdAt), eb.and([eb('created_at', '=', c.createdAt), eb('id', '<', c.id)])]),
        );
      }
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      const runs = rows.map(toSummary);
      return runs.length === limit ? { runs, next: encodeCursor(runs[runs.length - 1]) } : { runs };
    },

    async listUnfinishedRuns(): Promise<WorkflowRunRecord[]> {
      const rows = await db
        .selectFrom('workflow_runs')
        .selectAll()
        .where('status', 'in', ['running', 'suspended'])
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toRun);
    },
  };
  return { ...repo, ...fast };
}
