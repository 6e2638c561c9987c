import type { ModuleMetadata } from '@nestjs/common';

import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { HelmetOptions } from 'helmet';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module.js';
import { mountWebUi } from './web/web-ui.js';
import type { AuthenticatedRequest } from './access/principal.js';
import { mountOpenApi } from './catalog/openapi.js';
import { requestLogging } from './common/logging.js';
import {
  assertJsonDepth,
  bodyParserErrorHandler,
  createValidationPipe,
  fallbackErrorHandler,
  PrototypedExpressAdapter,
  requestIdMiddleware,
  securityHeaders,
  trackForShutdown,
  unmatchedRouteHandler,
} from './common/index.js';
import { type AppConfig } from './config/index.js';
import {
  type DatabaseTarget,
  type EmbeddedDatabase,
  startEmbeddedDatabase,
} from './database/index.js';

export interface RunningApp {
  readonly app: NestExpressApplication;
  readonly config: AppConfig;
  readonly database: DatabaseTarget;
  /**
   * Drains HTTP (no new connections, `Connection: close` on every remaining response, idle
   * connections closed, the rest cut off after `shutdownGraceMs`), closes the pool, then stops
   * the embedded database, in that order. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/**
 * Everything `main.ts` and the e2e tests share: choose the database, create the app, configure it
 * identically. Tests therefore exercise the same middleware, filters and pipes as production.
 */
export interface CreateApplicationOptions {
  /** Extra modules (test-only controllers); production passes none. */
  readonly extraImports?: ModuleMetadata['imports'];
  /** Where logs go instead of stdout (tests that read the log). */
  readonly logDestination?: DestinationStream;
}

export async function createApplication(
  config: AppConfig,
  options: CreateApplicationOptions = {},
): Promise<RunningApp> {
  let embedded: EmbeddedDatabase | undefined;
  const database: DatabaseTarget = config.databaseUrl
    ? { url: config.databaseUrl, embedded: false }
    : { url: (embedded = await startEmbeddedDatabase(config.dataDir)).url, embedded: true };
  try {
    const app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot(config, database, options.extraImports, options.logDestination),
      new PrototypedExpressAdapter(),
      {
        bufferLogs: true,
        // Parsed below, after the request id, so parser errors get one and speak problem+json.
        bodyParser: false,
      },
    );
    configureApp(app, config);
    await app.init();
    // After init, so they come after every route Nest registered.
    app.use(unmatchedRouteHandler(config.publicBaseUrl));
    app.use(fallbackErrorHandler(config.publicBaseUrl));
    const http = trackForShutdown(app.getHttpServer());
    let closing: Promise<void> | undefined;
    return {
      app,
      config,
      database,
      close() {
        closing ??= (async () => {
          try {
            await http.drain(config.shutdownGraceMs);
            await app.close();
          } finally {
            // Even when a shutdown hook fails, the embedded database is stopped cleanly.
            await embedded?.stop();
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

/** Helmet's options; `securityHeaders` sets what they produce (test/security-headers.e2e-spec.ts). */
export function helmetOptions(config: AppConfig): HelmetOptions {
  return {
    contentSecurityPolicy: {
      directives: {
        'img-src': ["'self'", 'data:'],
        'script-src': ["'self'"],
        // swagger-ui (/api/docs) sets inline styles; scripts stay same-origin only.
        'style-src': ["'self'", "'unsafe-inline'"],
        // Upgrading would break plain-http deployments such as the local default.
        'upgrade-insecure-requests': config.secureCookies ? [] : null,
      },
    },
    strictTransportSecurity: config.secureCookies,
  };
}

export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // No generated ETag on every JSON body: Express would hash each response (SHA-1 over the whole
  // feed page, ~4% of a feed request) for a weak validator no API client relies on. The
  // documents agents revalidate (the catalog, its Arazzo workflows) carry strong ETags of their own.
  app.set('etag', false);
  // Outside /api: well-known documents, and the short links people open (Sharing: /go/{code}
  // referral links, /r/{referenceId} post links).
  app.setGlobalPrefix('api', { exclude: ['.well-known/{*path}', 'go/:code', 'r/:referenceId'] });
  app.use(requestIdMiddleware);
  app.use(requestLogging(PinoLogger.root));
  app.use(securityHeaders(helmetOptions(config)));
  app.use(
    express.json({
      limit: config.jsonBodyLimitBytes,
      type: ['application/json', 'application/*+json'],
      // Webhook verifiers check signatures over the exact bytes received; the depth check runs
      // here because it needs the bytes before JSON.parse builds the tree.
      verify: (req, _res, buf, encoding) => {
        assertJsonDepth(buf, encoding);
        (req as AuthenticatedRequest).rawBody = buf;
      },
    }),
  );
  app.use(bodyParserErrorHandler(config.publicBaseUrl));
  // Most API calls carry a bearer token and no cookie: skip the parser for them.
  const parseCookies = cookieParser();
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.headers.cookie) return parseCookies(req, res, next);
    req.cookies = {};
    req.signedCookies = {};
    next();
  });
  mountWebUi(app);
  app.useGlobalPipes(createValidationPipe());
  mountOpenApi(app, config);
}
