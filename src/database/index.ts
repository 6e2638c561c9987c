export { BackgroundWrites } from './background-writes.js';
export { DATABASE_TARGET, DatabaseModule, type DatabaseTarget } from './database.module.js';
export { type EmbeddedDatabase, startEmbeddedDatabase } from './embedded-database.js';
export { buildDataSourceOptions } from './data-source-options.js';
export { runMigrations } from './migration-runner.js';
export { pendingSchemaChanges, type SchemaStatement } from './schema-diff.js';
export { claimDueJobs, type ClaimOptions, workerId } from './job-claims.js';
