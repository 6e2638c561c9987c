import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
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
            const applied = await runMigrations(dataSource, target);
            const logger = new Logger('Database');
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
