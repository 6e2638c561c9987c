/**
 * `npm run migration:run` and `npm run migration:generate -- <Name>`. Both boot the app's own
 * database wiring (embedded PGlite unless DATABASE_URL is set), which applies pending migrations
 * under the advisory lock, so `run` needs nothing more and `generate` diffs a current schema.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { pendingSchemaChanges, type SchemaStatement } from '../database/index.js';
import { runCli, UsageError } from './run-cli.js';

type MigrationArgs = { command: 'run' } | { command: 'generate'; name: string };

runCli<MigrationArgs>({
  usage: 'npm run migration:run | npm run migration:generate -- <MigrationName>',
  parseArgs([command, name]) {
    if (command === 'run') return { command };
    if (command !== 'generate') throw new UsageError('Say run or generate.');
    if (!/^[A-Z][A-Za-z0-9]+$/.test(name ?? ''))
      throw new UsageError(
        'generate needs a PascalCase migration name, e.g. npm run migration:generate -- AddPosts',
      );
    return { command, name };
  },
  // Booting applies pending migrations (under the advisory lock), so `run` has nothing left to do.
  async run(running, args) {
    if (args.command === 'run') return 'Migrations are up to date.';
    const { up, down } = await pendingSchemaChanges(running.app.get(DataSource));
    if (up.length === 0) return 'No changes: the entities match the migrations.';
    const timestamp = Date.now();
    const className = `${args.name}${timestamp}`;
    const file = join(process.cwd(), 'migrations', `${timestamp}-${args.name}.ts`);
    writeFileSync(file, renderMigration(className, up, down));
    appendFileSync(
      join(process.cwd(), 'migrations', 'index.ts'),
      `export * from './${timestamp}-${args.name}.js';\n`,
    );
    return `Wrote ${file}; review it like code.`;
  },
});

function renderMigration(
  className: string,
  up: SchemaStatement[],
  down: SchemaStatement[],
): string {
  // Parameters matter: TypeORM records generated-column expressions as typeorm_metadata rows.
  const lines = (statements: SchemaStatement[]) =>
    statements
      .map(
        ({ query, parameters }) =>
          `    await queryRunner.query(${JSON.stringify(query)}${parameters ? `, ${JSON.stringify(parameters)}` : ''});`,
      )
      .join('\n');
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${lines(up)}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${lines(down)}
  }
}
`;
}
