import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { errorForLog } from '../common/database-errors.js';
import { BackgroundWrites } from './background-writes.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { runMigrations } from './migration-runner.js';

/** Which database this process talks to; decided before Nest starts (see `bootstrap`). */
export interface DatabaseTarget {
  readonly url: string;
  readonly embedded: boolean;
}

/** Injection token for the DatabaseTarget (e.g. for a dedicated LISTEN connection). */
export const DATABASE_TARGET = Symbol('DATABASE_TARGET');

@Module({})
export class DatabaseModule {
  static forRoot(target: DatabaseTarget): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [{ provide: DATABASE_TARGET, useValue: target }, BackgroundWrites],
      exports: [DATABASE_TARGET, BackgroundWrites],
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...buildDataSourceOptions({ ...target, entities: [] }),
            // Entities come from each module's TypeOrmModule.forFeature, so modules own them.
            autoLoadEntities: true,
            // Fail fast at start instead of retrying for minutes against a wrong URL.
            retryAttempts: 0,
          }),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            const logger = new Logger('Database');
            guardPooledConnections(dataSource, logger);
            const applied = await runMigrations(dataSource, target);
            logger.log(
              `${target.embedded ? 'Embedded PGlite' : 'PostgreSQL'} ready; ` +
                (applied.length
                  ? `applied ${applied.length} migration(s): ${applied.join(', ')}`
                  : 'schema up to date'),
            );
            return dataSource;
          },
        }),
      ],
    };
  }
}

/**
 * Gives every pooled connection an 'error' listener for its whole life. TypeORM listens only
 * while a query runner holds the connection and stops when it releases it; a connection the
 * server terminates (a restart, a failover, pg_terminate_backend) can emit its error in between,
 * and an 'error' event nobody listens to crashes the process. The failure still reaches the
 * query that needed the connection (a 503); here it is only logged.
 */
function guardPooledConnections(dataSource: DataSource, logger: Logger): void {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) return;
  const guard = (client: PoolClient) =>
    client.on('error', (err) =>
      logger.warn({ err: errorForLog(err) }, 'a pooled database connection failed'),
    );
  pool.on('connect', guard);
  // Connections opened while the data source initialised, before the listener above.
  for (const client of (pool as unknown as { _clients?: PoolClient[] })._clients ?? [])
    guard(client);
}
