import { Logger } from '@nestjs/common';
import { createApplication } from './bootstrap.js';
import { type AppConfig, ConfigValidationError, loadConfig } from './config/index.js';

/**
 * Starts the API: configuration, the app, listen, signal handling. `main.ts` calls it once the
 * Node.js version has been checked; `nodeWarning` is logged at start when that check warned.
 */
export async function serve(nodeWarning?: string): Promise<void> {
  const started = Date.now();
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG: the message above names every bad value
    }
    throw error;
  }
  const running = await createApplication(config);
  await running.app.listen(config.port, config.host);
  const logger = new Logger('Bootstrap');
  if (nodeWarning) logger.warn(nodeWarning);
  const database = running.database.embedded
    ? `embedded PGlite in ${config.dataDir}`
    : 'PostgreSQL (DATABASE_URL)';
  logger.log(
    `GetPaidX API on http://${config.host}:${config.port}, database: ${database}, ready in ${Date.now() - started} ms`,
  );

  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: draining requests, then closing the database`);
    // close() cuts connections off after the grace period; this bounds the rest (pool, PGlite).
    setTimeout(() => {
      logger.error(`shutdown took longer than ${config.shutdownGraceMs} ms + 5 s; exiting`);
      process.exit(1);
    }, config.shutdownGraceMs + 5_000).unref();
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
