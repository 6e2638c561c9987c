import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Logger, type LoggerService } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

/**
 * Runs before every test file. Files share their worker's module cache (`isolate: false` in
 * vitest.config.ts: importing the app once per worker instead of once per file halves the
 * suite), so the process-wide state two logging libraries keep must start each file as it
 * would in a fresh process. Each file still boots its own app on its own database.
 */

// Nest's static Logger points at the last app's logger after `app.useLogger`; a fresh process
// has Nest's own default console logger there, captured before the worker's first app boots.
const nest = Logger as unknown as {
  staticInstanceRef: LoggerService | undefined;
  logLevels: unknown;
  logBuffer: unknown[];
};
const state = globalThis as { gpxDefaultNestLogger?: LoggerService };
state.gpxDefaultNestLogger ??= nest.staticInstanceRef;
nest.staticInstanceRef = state.gpxDefaultNestLogger;
nest.logLevels = undefined;
nest.logBuffer = [];
Logger.detachBuffer();

// nestjs-pino builds its pino-http instance once per process, with the destination and level of
// the first app that asks, and keeps it as `PinoLogger.root`: without this reset, a file reading
// its own log destination would read nothing once another file had booted an app in the same
// worker. The reset lives in a module the package does not export, so it is imported by file URL.
const pinoEntry = createRequire(import.meta.url).resolve('nestjs-pino');
const rootLoggerUrl = pathToFileURL(join(dirname(pinoEntry), '..', 'esm', 'rootLogger.js')).href;
const { resetRootLogger } = (await import(rootLoggerUrl)) as { resetRootLogger(): void };
resetRootLogger();
// The static field kept alongside; readonly in the types, reset as the library's own
// __resetOutOfContextForTests does.
(PinoLogger as unknown as { root: unknown }).root = undefined;
