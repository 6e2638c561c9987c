import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Observable } from 'rxjs';
import { ProblemException } from '../problems/index.js';
import { ACCEPTED_BODY_TYPES } from './accepts-body.decorator.js';

const JSON_TYPES = ['application/json', '+json'];
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * A body the route cannot read is refused with 415 instead of being silently ignored (a
 * form-encoded POST to a JSON route would otherwise look like an empty body).
 */
@Injectable()
export class ContentTypeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    // GET, HEAD and DELETE routes take no body here; one sent anyway is ignored, not refused.
    if (BODY_METHODS.has(req.method) && hasBody(req)) {
      const accepted =
        this.reflector.getAllAndOverride<string[]>(ACCEPTED_BODY_TYPES, [
          context.getHandler(),
          context.getClass(),
        ]) ?? JSON_TYPES;
      if (!req.is(accepted)) {
        throw new ProblemException({
          code: 'unsupported_media_type',
          detail: `This route takes ${accepted.filter((t) => !t.startsWith('+')).join(' or ')}; got ${req.headers['content-type'] ?? 'no Content-Type'}.`,
        });
      }
    }
    return next.handle();
  }
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
