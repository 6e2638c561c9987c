import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Inject,
  Logger,
  PayloadTooLargeException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { ErrorRequestHandler, Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../config/index.js';
import { isDatabaseUnavailable, isDataException } from '../database-errors.js';
import { defaultCodeForStatus, type ErrorCode } from './error-codes.js';
import { ProblemException } from './problem.exception.js';
import { requestIdOf, sendProblem } from './problem-response.js';

/**
 * Renders every error as problem+json. Known errors keep their status and a stable code; anything
 * unexpected is logged with the request id and answered with a generic 500 that echoes nothing.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    renderProblem(exception, http.getRequest<Request>(), http.getResponse<Response>(), {
      publicBaseUrl: this.config.publicBaseUrl,
      logger: this.logger,
    });
  }
}

/**
 * The same rendering for errors raised outside Nest's routing (the web UI's router), mounted last
 * so that nothing falls through to Express's HTML error page.
 */
export function fallbackErrorHandler(publicBaseUrl: string): ErrorRequestHandler {
  const logger = new Logger('Errors');
  return (err: unknown, req, res, _next) => {
    renderProblem(err, req, res, { publicBaseUrl, logger });
  };
}

function renderProblem(
  exception: unknown,
  req: Request,
  res: Response,
  context: { publicBaseUrl: string; logger: Logger },
): void {
  if (res.headersSent) {
    context.logger.error(
      { requestId: requestIdOf(req), err: exception },
      'error after response started',
    );
    return;
  }
  sendProblem(req, res, context.publicBaseUrl, toProblem(exception, req, context.logger));
}

function toProblem(exception: unknown, req: Request, logger: Logger) {
  if (exception instanceof ProblemException) {
    return {
      status: exception.getStatus(),
      code: exception.code,
      detail: exception.detail,
      extensions: exception.extensions,
      headers: exception.headers,
    };
  }
  if (exception instanceof ThrottlerException) {
    return {
      status: 429,
      code: 'rate_limited' as const,
      detail: 'Too many requests; slow down and retry later.',
    };
  }
  if (exception instanceof PayloadTooLargeException) {
    return {
      status: 413,
      code: 'payload_too_large' as const,
      detail: 'The request body is too large.',
    };
  }
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    const status = exception.getStatus();
    const code: ErrorCode = defaultCodeForStatus(status);
    const detail =
      status === 404 && /^Cannot [A-Z]+ /.test(exception.message)
        ? `No route matches ${req.method} ${req.originalUrl.split('?')[0]}.`
        : exception.message;
    return { status, code, detail };
  }
  if (exception instanceof HttpException && exception.getStatus() === 503) {
    // Terminus reports which dependency failed; that is useful and holds no secrets.
    const response = exception.getResponse();
    const checks =
      typeof response === 'object' && response !== null && 'details' in response
        ? response.details
        : undefined;
    logger.warn({ requestId: requestIdOf(req), checks }, 'dependency unavailable');
    return {
      status: 503,
      code: 'unavailable' as const,
      detail: 'A dependency is unavailable; retry later.',
      extensions: checks ? { checks } : {},
    };
  }
  if (isDatabaseUnavailable(exception)) {
    logger.error({ requestId: requestIdOf(req), err: exception }, 'database unavailable');
    return {
      status: 503,
      code: 'unavailable' as const,
      detail: 'The database is unavailable; retry shortly.',
      headers: { 'Retry-After': '1' },
    };
  }
  if (isDataException(exception)) {
    // The last line of defence: validation let a value through that PostgreSQL refused (class
    // 22, data exception). It is still the client's value, so a 400; logged to fix validation.
    logger.warn(
      { requestId: requestIdOf(req), err: exception },
      'database refused a value validation let through',
    );
    return {
      status: 400,
      code: 'validation_failed' as const,
      detail: 'A value in the request is malformed or out of range.',
      extensions: {
        errors: [{ field: 'request', message: 'holds a value that is malformed or out of range' }],
      },
    };
  }
  logger.error({ requestId: requestIdOf(req), err: exception }, 'unhandled error');
  return {
    status: 500,
    code: 'internal_error' as const,
    detail: 'An unexpected error occurred. Quote the requestId when reporting it.',
  };
}
