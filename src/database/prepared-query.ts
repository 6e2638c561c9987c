import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

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
  const name = `gpx_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
  const result = await pool.query({ name, text, values });
  return result.rows as T[];
}
