import { hostname } from 'node:os';
import type { NextFunction, Request, Response } from 'express';
import type { Params } from 'nestjs-pino';
import type { DestinationStream, Logger } from 'pino';
import type { AppConfig } from '../config/index.js';
import { errorForLog } from './database-errors.js';

/** Field names that may hold a credential, at any of the first three levels of a log object. */
const SECRET_FIELDS = [
  'password',
  'token',
  'rawToken',
  'secret',
  'csrfToken',
  'apiKey',
  'authorization',
  'cookie',
];
const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
];

/**
 * Query parameters whose names say they may hold a credential. The API reads none from a query
 * string, but clients put them there anyway (a form submitted natively, `?access_token=`), and
 * the access log must not keep them.
 */
const SECRET_QUERY_PARAMETER =
  /([?&][^=&#]*(?:pass|token|secret|key|signature|credential)[^=&#]*=)[^&#]*/gi;
/**
 * A personal access token anywhere in a URL (`gpx_pat_` + 38 base62 characters; from 20 on, so a
 * cut-off token is caught too, while a display prefix such as `gpx_pat_AbCd` is not secret).
 */
const TOKEN_IN_URL = /gpx_pat_[0-9A-Za-z]{20,}/g;

/** Upload URLs carry a credential in the path, clients may put one in the query: never log them. */
function loggableUrl(url: string): string {
  return url
    .replace(/(\/artifact-uploads\/[^/]+\/)[^/?]+/, '$1[redacted]')
    .replace(SECRET_QUERY_PARAMETER, '$1[redacted]')
    .replace(TOKEN_IN_URL, '[redacted]');
}

/**
 * Structured JSON logs; credentials are redacted wherever they appear in a log object. They go to
 * stdout unless a destination is given (tests read what would have been logged).
 *
 * nestjs-pino provides the root logger behind Nest's `Logger`, but mounts no per-request
 * middleware (`forRoutes: []`): its pino-http middleware built two child loggers and serialised
 * the request on every request, logged or not — a tenth of a liveness request's CPU time
 * (`npm run bench:profile`). `requestLogging` below logs the same line, and only does that work
 * when the line is written. Logs made inside a request carry the request id where it matters
 * (the problem filter's error lines) rather than by a per-request child logger.
 */
export function loggerParams(config: AppConfig, destination?: DestinationStream): Params {
  const options: Exclude<Params['pinoHttp'], unknown[] | undefined> = {
    level: config.logLevel,
    redact: { paths: redactPaths, censor: '[redacted]' },
    // On every line, once, instead of a child logger per request.
    base: { pid: process.pid, hostname: hostname(), service: 'getpaidx-api' },
    // What `requestLogging` writes for a request and its response: the raw objects are mapped
    // (pino-std-serializers) and then cut down to these fields, only when a line is written.
    serializers: {
      req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: loggableUrl(req.url),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      // Every logged error, wherever it is logged: a failed query keeps its SQLSTATE,
      // constraint and statement name, never its parameters (password hashes, token
      // digests) nor PostgreSQL's message and detail, which quote values.
      err: errorForLog,
    },
  };
  return { pinoHttp: destination ? [options, destination] : options, forRoutes: [] };
}

/**
 * One `request completed` line per request (`request errored` for a 5xx), with the request id,
 * method, redacted URL, client address, status and time taken. Health probes every few seconds
 * would drown everything else, so they are not logged. When the level is off, this costs one
 * boolean check per request.
 */
export function requestLogging(
  logger: Logger,
): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (!logger.isLevelEnabled('info') || req.url.startsWith('/api/health/')) return next();
    const started = Date.now();
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      logRequest(logger, req, res, Date.now() - started);
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}

function logRequest(logger: Logger, req: Request, res: Response, responseTime: number): void {
  // Raw objects: the logger's serializers (loggerParams) pick and redact the fields.
  const line = { req, res, responseTime };
  if (res.statusCode >= 500) logger.info(line, 'request errored');
  else if (!res.writableFinished) logger.info(line, 'request aborted');
  else logger.info(line, 'request completed');
}
