import type { DataSourceOptions } from 'typeorm';
import * as allMigrations from '../../migrations/index.js';

/** Migration classes in timestamp order (their names end in the timestamp). */
export const MIGRATIONS = Object.values(allMigrations).sort(
  (a, b) => Number(/(\d+)$/.exec(a.name)?.[1]) - Number(/(\d+)$/.exec(b.name)?.[1]),
);

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
    extra: { connectionTimeoutMillis: 10_000 },
    logging: false,
  };
}
