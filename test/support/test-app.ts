import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModuleMetadata } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { DataSource } from 'typeorm';
import { createApplication, type RunningApp } from '../../src/bootstrap.js';
import { CatalogService } from '../../src/catalog/catalog.service.js';
import { type AppConfig, loadConfig } from '../../src/config/index.js';
import { createTestDatabase, type TestDatabase } from './databases.js';
import { watchDeclaredErrors } from './declared-errors.js';

export interface TestApp {
  readonly running: RunningApp;
  /** Set on PostgreSQL; another instance can boot on the same database (`sameDatabaseAs`). */
  readonly databaseUrl: string | undefined;
  readonly config: AppConfig;
  /** supertest bound to the app's HTTP server (no port needed). */
  http(): TestAgent;
  /** The app's own pool: on embedded PGlite it is the only connection there is. */
  readonly db: DataSource;
  /** Runs SQL and returns rows, for asserting database state. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  extraImports?: ModuleMetadata['imports'];
  /** Boot a second instance on this app's database (PostgreSQL only), as in a deployment. */
  sameDatabaseAs?: TestApp;
  /** Receives the app's log lines (set LOG_LEVEL in env to see them). */
  logDestination?: DestinationStream;
}

/** Boots the real application on a fresh database, exactly as `main.ts` does, minus listen(). */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database: TestDatabase = options.sameDatabaseAs
    ? sharedDatabase(options.sameDatabaseAs)
    : await createTestDatabase();
  const config = loadConfig({
    DATA_DIR: database.dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    TOKEN_PEPPER: 'test-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
    PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    // Test files share one Redis: each app counts under its own prefix, and a second instance
    // under its first's, as instances of one deployment do.
    REDIS_KEY_PREFIX:
      options.sameDatabaseAs?.config.redisKeyPrefix ??
      `gpx-test-${randomBytes(4).toString('hex')}:`,
    ...options.env,
  });
  const running = await createApplication(config, {
    extraImports: options.extraImports,
    logDestination: options.logDestination,
  });
  const server = running.app.getHttpServer();
  const undeclaredErrors = watchDeclaredErrors(server, running.app.get(CatalogService));
  const db = running.app.get(DataSource);
  return {
    running,
    databaseUrl: database.databaseUrl,
    config,
    db,
    http: () => request(server),
    sql: <T>(text: string, params: unknown[] = []) => db.query<T[]>(text, params),
    async close() {
      try {
        await running.close();
      } finally {
        await database.drop();
      }
      const undeclared = undeclaredErrors();
      if (undeclared.length)
        throw new Error(
          `Routes answered with errors their catalog entry does not declare:\n  ${undeclared.join('\n  ')}`,
        );
    },
  };
}

/** The other instance's database, with a data directory of this instance's own. */
function sharedDatabase(other: TestApp): TestDatabase {
  if (!other.databaseUrl) throw new Error('Several instances share PostgreSQL only.');
  const dataDir = mkdtempSync(join(tmpdir(), 'gpx-test-'));
  return {
    databaseUrl: other.databaseUrl,
    dataDir,
    async drop() {
      rmSync(dataDir, { recursive: true, force: true }); // the owner drops the database
    },
  };
}

/**
 * Boots one app for the enclosing spec file (or `describe` block) and closes it afterwards:
 * registers the beforeAll/afterAll pair and returns the app, usable from any hook or test that
 * runs after boot. Hooks registered after this call run after the app is up.
 *
 *   const t = useTestApp({ env: { ADMIN_EMAILS: 'admin@example.com' } });
 *   beforeAll(async () => { alice = await signUp(t); });
 */
export function useTestApp(options: TestAppOptions | (() => TestAppOptions) = {}): TestApp {
  let booted: TestApp | undefined;
  let closed = false;
  const app = (): TestApp => {
    if (!booted) throw new Error('useTestApp(): the app is used before its beforeAll hook ran.');
    return booted;
  };
  beforeAll(async () => {
    booted = await createTestApp(typeof options === 'function' ? options() : options);
  });
  afterAll(async () => {
    if (booted && !closed) {
      closed = true;
      await booted.close();
    }
  });
  return {
    get running() {
      return app().running;
    },
    get databaseUrl() {
      return app().databaseUrl;
    },
    get config() {
      return app().config;
    },
    get db() {
      return app().db;
    },
    http: () => app().http(),
    sql: <T>(text: string, params?: unknown[]) => app().sql<T>(text, params),
    // Closing early (a test about shutdown) is allowed; afterAll then has nothing left to do.
    async close() {
      if (closed) return;
      closed = true;
      await app().close();
    },
  };
}
