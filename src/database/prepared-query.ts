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
 * Runs a read as a named prepared statement, so PostgreSQL plans each distinct statement once
 * per connection instead of on every request. For hot, parameterised reads only (the SQL text
 * must not embed values); TypeORM's query() does not prepare.
 */
export async function preparedQuery<T>(
  dataSource: DataSource,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const result = await pool.query({ name: statementName(text), text, values });
  return result.rows as T[];
}
