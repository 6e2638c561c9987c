import { Client } from 'pg';
import { DataSource } from 'typeorm';

/** Arbitrary but fixed: every instance of this app serialises migrations on this key. */
const MIGRATION_LOCK_KEY = 748_193_551;

/**
 * Runs pending migrations. On PostgreSQL several instances may start at once, so the run is
 * serialised with a session-level advisory lock held on a separate connection. The embedded
 * database has exactly one client (this process, one connection), so it needs no lock and could
 * not take one without a second connection.
 */
export async function runMigrations(
  dataSource: DataSource,
  options: { url: string; embedded: boolean },
): Promise<string[]> {
  if (options.embedded) {
    return (await dataSource.runMigrations()).map((m) => m.name);
  }
  const lockClient = new Client({ connectionString: options.url });
  await lockClient.connect();
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return (await dataSource.runMigrations()).map((m) => m.name);
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    await lockClient.end();
  }
}
