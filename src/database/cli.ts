/**
 * `npm run migration:run` and `npm run migration:generate -- <Name>`. Both boot the app's own
 * database wiring (embedded PGlite unless DATABASE_URL is set), which applies pending migrations
 * under the advisory lock, so `run` needs nothing more and `generate` diffs a current schema.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApplication } from '../bootstrap.js';
import { loadConfig } from '../config/index.js';
import { pendingSchemaChanges, type SchemaStatement } from './schema-diff.js';

async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  if (command !== 'run' && command !== 'generate') {
    throw new Error('usage: cli.js run | generate <MigrationName>');
  }
  if (command === 'generate' && !/^[A-Z][A-Za-z0-9]+$/.test(name ?? '')) {
    throw new Error(
      'generate needs a PascalCase migration name, e.g. npm run migration:generate -- AddPosts',
    );
  }
  const running = await createApplication({ ...loadConfig(), logLevel: 'warn' });
  try {
    if (command === 'run') {
      process.stdout.write('Migrations are up to date.\n');
      return;
    }
    const { up, down } = await pendingSchemaChanges(running.app.get(DataSource));
    if (up.length === 0) {
      process.stdout.write('No changes: the entities match the migrations.\n');
      return;
    }
    const timestamp = Date.now();
    const className = `${name}${timestamp}`;
    const file = join(process.cwd(), 'migrations', `${timestamp}-${name}.ts`);
    writeFileSync(file, renderMigration(className, up, down));
    appendFileSync(
      join(process.cwd(), 'migrations', 'index.ts'),
      `export * from './${timestamp}-${name}.js';\n`,
    );
    process.stdout.write(`Wrote ${file}; review it like code.\n`);
  } finally {
    await running.close();
  }
}

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

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
