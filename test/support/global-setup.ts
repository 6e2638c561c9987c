import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * Reserves the run's database template (see databases.ts) and removes it afterwards, along with
 * any clone a crashed test file left behind.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const dir = mkdtempSync(join(tmpdir(), 'gpx-template-'));
    process.env.GPX_TEST_TEMPLATE = dir;
    return async () => rmSync(dir, { recursive: true, force: true });
  }
  const template = `gpx_test_${randomBytes(3).toString('hex')}`;
  await withClient(base, (c) => c.query(`CREATE DATABASE "${template}"`));
  process.env.GPX_TEST_TEMPLATE = template;
  return async () => {
    await withClient(base, async (c) => {
      const { rows } = await c.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $1 || '\\_%'`,
        [template],
      );
      for (const { datname } of rows)
        await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
  };
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
