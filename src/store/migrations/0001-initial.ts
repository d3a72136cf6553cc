// The first schema: the applied stack, per-service desired state, runtime adoption records
// and the event history.

import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../schema.js';

export function initial(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('stack')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('spec', 'text', (c) => c.notNull())
        .addColumn('applied_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('services')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('replicas', 'integer', (c) => c.notNull())
        .addColumn('stopped', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('endpoint_port', 'integer')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('instances')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      // AUTOINCREMENT (SQLite) / identity (PostgreSQL): ids are never reused after pruning,
      // so a reader paging with `sinceId` never skips or repeats an event.
      await db.schema
        .createTable('events')
        .addColumn('id', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
          dialect === 'postgres'
            ? c.primaryKey().generatedAlwaysAsIdentity()
            : c.primaryKey().modifyEnd(sql`autoincrement`),
        )
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('service', 'text')
        .addColumn('instance', 'text')
        .addColumn('message', 'text', (c) => c.notNull())
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      for (const table of ['events', 'instances', 'services', 'stack']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
