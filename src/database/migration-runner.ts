import { Client } from 'pg';
import { DataSource } from 'typeorm';

/** Arbitrary but fixed: every instance of this app serialises migrations on this key. */
const MIGRATION_LOCK_KEY = 748_193_551;
/** How often an instance that waits for another's migrations asks for the lock again. */
const LOCK_POLL_MS = 100;

/**
 * Runs pending migrations. On PostgreSQL several instances may start at once, so the run is
 * serialised with a session-level advisory lock held on a separate connection. The embedded
 * database has exactly one client (this process, one connection), so it needs no lock and could
 * not take one without a second connection.
 *
 * The lock is polled with pg_try_advisory_lock, never waited for inside PostgreSQL: a statement
 * blocked in pg_advisory_lock holds a snapshot, and CREATE INDEX CONCURRENTLY in the holder's
 * migration waits for every older snapshot in the database to go away. The holder then waits for
 * its index, the index for the waiter, the waiter for the holder's lock: a deadlock through the
 * application that PostgreSQL cannot see (two instances started at once hung for good).
 */
export async function runMigrations(
  dataSource: DataSource,
  options: { url: string; embedded: boolean },
): Promise<string[]> {
  if (options.embedded) {
    return (await dataSource.runMigrations()).map((m) => m.name);
  }
  const lockClient = new Client({
    connectionString: options.url,
    application_name: 'gpx-migrations',
  });
  await lockClient.connect();
  try {
    for (;;) {
      const { rows } = await lockClient.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [MIGRATION_LOCK_KEY],
      );
      if (rows[0].locked) break;
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    }
    return (await dataSource.runMigrations()).map((m) => m.name);
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    await lockClient.end();
  }
}
