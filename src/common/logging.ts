import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { AppConfig } from '../config/index.js';
import { errorForLog } from './database-errors.js';
import { requestIdOf } from './problems/index.js';

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
 * Structured JSON logs; credentials are redacted wherever they appear in a log object. They go to
 * stdout unless a destination is given (tests read what would have been logged).
 */
export function loggerParams(config: AppConfig, destination?: DestinationStream): Params {
  const options: Exclude<Params['pinoHttp'], unknown[] | undefined> = {
    level: config.logLevel,
    genReqId: (req) => requestIdOf(req as never),
    redact: { paths: redactPaths, censor: '[redacted]' },
    customProps: () => ({ service: 'getpaidx-api' }),
    // Health probes every few seconds would drown everything else.
    autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/api/health/') },
    serializers: {
      req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        // Upload URLs carry their credential in the path: never log it.
        url: req.url.replace(/(\/artifact-uploads\/[^/]+\/)[^/?]+/, '$1[redacted]'),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      // Every logged error, wherever it is logged: a failed query keeps its SQLSTATE,
      // constraint and statement name, never its parameters (password hashes, token
      // digests) nor PostgreSQL's message and detail, which quote values.
      err: errorForLog,
    },
  };
  return { pinoHttp: destination ? [options, destination] : options };
}
