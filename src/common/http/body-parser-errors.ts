import type { ErrorRequestHandler } from 'express';
import { sendProblem } from '../problems/index.js';
import { MAX_JSON_DEPTH } from './json-depth.js';

/**
 * Body-parser failures happen in Express middleware, before Nest's exception filters can see
 * them; this error middleware, mounted right after the parser, answers them in the same contract.
 */
export function bodyParserErrorHandler(publicBaseUrl: string): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const type = typeof err === 'object' && err !== null && 'type' in err ? err.type : undefined;
    switch (type) {
      case 'entity.parse.failed':
        return sendProblem(req, res, publicBaseUrl, {
          status: 400,
          code: 'validation_failed',
          detail: 'The request body is not valid JSON.',
          extensions: { errors: [{ field: 'body', message: 'must be valid JSON' }] },
        });
      case 'entity.too.deep':
        return sendProblem(req, res, publicBaseUrl, {
          status: 400,
          code: 'validation_failed',
          detail: `The request body nests JSON deeper than ${MAX_JSON_DEPTH} levels.`,
          extensions: {
            errors: [
              { field: 'body', message: `must not be nested deeper than ${MAX_JSON_DEPTH} levels` },
            ],
          },
        });
      case 'entity.too.large':
        return sendProblem(req, res, publicBaseUrl, {
          status: 413,
          code: 'payload_too_large',
          detail: 'The request body exceeds the 1 MB limit for JSON.',
        });
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return sendProblem(req, res, publicBaseUrl, {
          status: 415,
          code: 'unsupported_media_type',
          detail: 'The request body encoding or charset is not supported; send UTF-8 JSON.',
        });
      case 'request.aborted':
      case 'request.size.invalid':
      case 'stream.encoding.set':
        return sendProblem(req, res, publicBaseUrl, {
          status: 400,
          code: 'validation_failed',
          detail: 'The request body could not be read.',
          extensions: { errors: [{ field: 'body', message: 'could not be read' }] },
        });
      default:
        return next(err);
    }
  };
}
