import { HttpException } from '@nestjs/common';
import { ERROR_CODES, type ErrorCode } from './error-codes.js';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `scopes` or `items[0].name`. */
  field: string;
  message: string;
}

export interface ProblemInit {
  code: ErrorCode;
  detail: string;
  /** Overrides the status the code implies (rarely needed). */
  status?: number;
  /** Extension members, e.g. `errors`, `requiredScopes`. */
  extensions?: Record<string, unknown>;
  /** Response headers, e.g. `WWW-Authenticate`, `Retry-After`. */
  headers?: Record<string, string>;
}

/**
 * An error that already knows its place in the error contract. Services and guards throw this;
 * the problem filter renders it as RFC 9457 problem+json.
 */
export class ProblemException extends HttpException {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(init: ProblemInit) {
    const status = init.status ?? ERROR_CODES[init.code].status;
    super(init.detail, status);
    this.code = init.code;
    this.detail = init.detail;
    this.extensions = init.extensions ?? {};
    this.headers = init.headers ?? {};
  }

  static validation(errors: FieldError[], detail?: string): ProblemException {
    return new ProblemException({
      code: 'validation_failed',
      detail:
        detail ??
        `Invalid ${errors.map((e) => e.field).join(', ') || 'request'}: ${errors.map((e) => e.message).join('; ')}`,
      extensions: { errors },
    });
  }

  static notFound(detail = 'No such resource.'): ProblemException {
    return new ProblemException({ code: 'not_found', detail });
  }

  static conflict(detail: string): ProblemException {
    return new ProblemException({ code: 'conflict', detail });
  }

  static forbidden(detail: string): ProblemException {
    return new ProblemException({ code: 'forbidden', detail });
  }
}
