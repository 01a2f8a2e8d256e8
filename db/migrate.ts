import { Migrator, type Kysely } from 'kysely';
import { migrationProvider } from '../migrations';

export class MigrationFailedError extends Error {
  constructor(name: string | undefined, cause: unknown) {
    super(`Database migration ${name ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}. Nothing after it was applied; fix the cause and run \`npm run migrate\` again.`, { cause });
    this.name = 'MigrationFailedError';
  }
}

/** Applies every pending migration; kysely's Migrator takes a lock, so concurrent starts are safe. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new MigrationFailedError(failed?.migrationName, error ?? 'see the log');
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
