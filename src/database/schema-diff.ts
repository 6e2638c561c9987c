import type { DataSource } from 'typeorm';

/** One statement of a schema change; parameters are set for e.g. typeorm_metadata rows. */
export interface SchemaStatement {
  query: string;
  parameters?: unknown[];
}

/**
 * The SQL TypeORM would run to make the database match the entities. Empty on a fully migrated
 * database when the entities and the migrations agree; `migration:generate` writes it out.
 */
export async function pendingSchemaChanges(
  dataSource: DataSource,
): Promise<{ up: SchemaStatement[]; down: SchemaStatement[] }> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  const statement = (q: { query: string; parameters?: unknown[] }): SchemaStatement =>
    q.parameters?.length ? { query: q.query, parameters: q.parameters } : { query: q.query };
  return {
    up: sql.upQueries.map(statement),
    down: sql.downQueries.map(statement).reverse(),
  };
}
