// The schema's history, in code (no files to find at run time once bundled or compiled).
// Names sort in the order they apply; a migration, once released, is never edited.

import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { TuttiError } from '../../core/index.js';
import type { Database, Dialect } from '../schema.js';
import { initial } from './0001-initial.js';
import { registry } from './0002-registry.js';
import { workflows } from './0003-workflows.js';

export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-initial': initial(dialect),
    '0002-registry': registry(),
    '0003-workflows': workflows(),
  };
}

class InCodeProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

/** Brings the database to the latest schema; fails clearly on a database from a newer tutti. */
export async function migrateToLatest(db: Kysely<Database>, dialect: Dialect, where: string): Promise<void> {
  // names sort as plain strings (0001-…, 0002-…); Kysely's default uses localeCompare, whose
  // ICU collation data would cost the daemon several MiB
  const nameComparator = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const migrator = new Migrator({ db, provider: new InCodeProvider(dialect), nameComparator });
  const { error, results } = await migrator.migrateToLatest();
  if (!error) return;
  const failed = results?.find((r) => r.status === 'Error')?.migrationName;
  const message = error instanceof Error ? error.message : String(error);
  const newer = /previously executed migration .* is missing|corrupted migrations/i.test(message);
  throw new TuttiError(
    'TUTTI_E_INTERNAL',
    newer
      ? `the state database at ${where} was written by a newer version of tutti`
      : `cannot migrate the state database at ${where}${failed ? ` (migration ${failed})` : ''}: ${message}`,
    {
      hint: newer
        ? 'upgrade tutti, or move the database aside to start from an empty state'
        : 'check that the file is a tutti database and that the disk is writable',
      cause: error,
    },
  );
}
