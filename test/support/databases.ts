import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  buildDataSourceOptions,
  runMigrations,
  startEmbeddedDatabase,
} from '../../src/database/index.js';

/**
 * Test databases. With DATABASE_URL: one template database per run, migrated once, and a fresh
 * clone of it for each test file. Without: one embedded PGlite data directory per run, initialised
 * and migrated once, and a copy of it for each test file. (Global setup only reserves the
 * template: it runs outside Jest's module system and cannot load the TypeScript migrations.)
 */
const TEMPLATE_ENV = 'GPX_TEST_TEMPLATE';
const TEMPLATE_LOCK = 748_193_552;

export interface TestDatabase {
  /** Set for PostgreSQL; unset means embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) throw new Error('The Jest global setup did not run (no test database template).');
  const dataDir = mkdtempSync(join(tmpdir(), 'gpx-test-'));
  const base = process.env.DATABASE_URL;
  if (base) {
    const name = `${template}_${randomBytes(4).toString('hex')}`;
    await withAdmin(base, async (admin) => {
      await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
      try {
        await migrate(withDatabase(base, template), false);
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      } finally {
        await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
      }
    });
    return {
      databaseUrl: withDatabase(base, name),
      dataDir,
      async drop() {
        await withAdmin(base, (admin) =>
          admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
        );
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  await ensureEmbeddedTemplate(template);
  cpSync(join(template, 'data'), dataDir, { recursive: true });
  return {
    databaseUrl: undefined,
    dataDir,
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function ensureEmbeddedTemplate(template: string): Promise<void> {
  const ready = join(template, 'ready');
  const lock = join(template, 'lock');
  while (!existsSync(ready)) {
    try {
      mkdirSync(lock);
    } catch {
      await new Promise((r) => setTimeout(r, 200)); // another worker is building it
      continue;
    }
    try {
      if (existsSync(ready)) break;
      const embedded = await startEmbeddedDatabase(join(template, 'data'));
      try {
        await migrate(embedded.url, true);
      } finally {
        await embedded.stop();
      }
      writeFileSync(ready, '');
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

async function migrate(url: string, embedded: boolean): Promise<void> {
  const dataSource = await new DataSource(
    buildDataSourceOptions({ url, embedded, entities: [] }),
  ).initialize();
  try {
    await runMigrations(dataSource, { url, embedded });
  } finally {
    await dataSource.destroy();
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withAdmin<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
