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
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../config/index.js';
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
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    if (res.headersSent) {
      this.logger.error(
        { requestId: requestIdOf(req), err: exception },
        'error after response started',
      );
      return;
    }
    sendProblem(req, res, this.config.publicBaseUrl, this.toProblem(exception, req));
  }

  private toProblem(exception: unknown, req: Request) {
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
      this.logger.warn({ requestId: requestIdOf(req), checks }, 'dependency unavailable');
      return {
        status: 503,
        code: 'unavailable' as const,
        detail: 'A dependency is unavailable; retry later.',
        extensions: checks ? { checks } : {},
      };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.error({ requestId: requestIdOf(req), err: exception }, 'database unavailable');
      return {
        status: 503,
        code: 'unavailable' as const,
        detail: 'The database is unavailable; retry shortly.',
        headers: { 'Retry-After': '1' },
      };
    }
    this.logger.error({ requestId: requestIdOf(req), err: exception }, 'unhandled error');
    return {
      status: 500,
      code: 'internal_error' as const,
      detail: 'An unexpected error occurred. Quote the requestId when reporting it.',
    };
  }
}

/** Connection-level failures (not query errors): the database is down or the link dropped. */
function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === '57P01' || // admin_shutdown
    code === '57P03' || // cannot_connect_now
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      error.message,
    )
  );
}
