import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/** Statement names by SQL text; the hot reads build a handful of distinct texts at most. */
const statementNames = new Map<string, string>();
const MAX_STATEMENTS = 1000;

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `gpx_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (statementNames.size >= MAX_STATEMENTS) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Runs a read straight on the pool, by default as a named prepared statement, so PostgreSQL
 * plans each distinct statement once per connection instead of on every request. For hot,
 * parameterised reads only: the SQL text must not embed values, and the set of distinct texts
 * must stay small (each prepared plan lives in every backend until the connection closes).
 * TypeORM's query() does not prepare.
 */
export async function preparedQuery<T>(
  dataSource: DataSource,
  text: string,
  values: unknown[],
  { prepare = true }: { prepare?: boolean } = {},
): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const result = await pool.query(
    prepare ? { name: statementName(text), text, values } : { text, values },
  );
  return result.rows as T[];
}
