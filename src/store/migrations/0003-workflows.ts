// Workflows: deployed definitions (several versions of one name coexist, a run keeps its own)
// and runs with their latest state, persisted after every transition so a run resumes after a
// crash. Indexes serve the run listing (by workflow, by status, by time, newest first).

import type { Kysely, Migration } from 'kysely';

export function workflows(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('workflow_definitions')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('workflow_definitions_pk', ['name', 'version'])
        .execute();
      await db.schema
        .createIndex('workflow_definitions_by_name_time')
        .on('workflow_definitions')
        .columns(['name', 'created_at'])
        .execute();

      await db.schema
        .createTable('workflow_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workflow', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('input', 'text', (c) => c.notNull())
        .addColumn('output', 'text')
        .addColumn('error', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .execute();
      // listings page newest first on (created_at, id), optionally filtered by workflow or status
      await db.schema.createIndex('workflow_runs_by_time').on('workflow_runs').columns(['created_at', 'id']).execute();
      await db.schema
        .createIndex('workflow_runs_by_workflow_time')
        .on('workflow_runs')
        .columns(['workflow', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('workflow_runs_by_status_time')
        .on('workflow_runs')
        .columns(['status', 'created_at', 'id'])
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      for (const table of ['workflow_runs', 'workflow_definitions']) await db.schema.dropTable(table).execute();
    },
  };
}
