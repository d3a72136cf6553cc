// The registry's persisted state: external registrations (instances started elsewhere that
// registered through the API or the SDK, kept as JSON per id so they survive a daemon
// restart) and a small key/value table for single values such as the registry's last index
// and the DNS port chosen at first start.

import type { Kysely, Migration } from 'kysely';

export function registry(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('registry_instances')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      for (const table of ['meta', 'registry_instances']) await db.schema.dropTable(table).execute();
    },
  };
}
