import type { DataSourceOptions } from 'typeorm';
import * as allMigrations from '../../migrations/index.js';

/** Migration classes in timestamp order (their names end in the timestamp). */
export const MIGRATIONS = Object.values(allMigrations).sort(
  (a, b) => Number(/(\d+)$/.exec(a.name)?.[1]) - Number(/(\d+)$/.exec(b.name)?.[1]),
);

/** How the app's pool names its connections to PostgreSQL. */
export const DATABASE_APPLICATION_NAME = 'gpx-api';

/**
 * One set of DataSource options for PostgreSQL and the embedded database alike: same driver,
 * same SQL, same migrations. `synchronize` is never on; the schema only changes by migration.
 */
export function buildDataSourceOptions(params: {
  url: string;
  embedded: boolean;
  entities: DataSourceOptions['entities'];
}): DataSourceOptions {
  return {
    type: 'postgres',
    url: params.url,
    entities: params.entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    // Each migration in its own transaction, so a failure leaves the last good state.
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is core PostgreSQL; uuid-ossp is missing from the embedded database.
    uuidExtension: 'pgcrypto',
    // PGlite is single-session: one connection keeps transactions correct.
    poolSize: params.embedded ? 1 : 10,
    // application_name tells the app's connections apart in pg_stat_activity (operators, and the
    // fault tests that cut them off).
    extra: { connectionTimeoutMillis: 10_000, application_name: DATABASE_APPLICATION_NAME },
    logging: false,
  };
}
