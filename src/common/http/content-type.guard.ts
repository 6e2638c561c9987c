import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemException } from '../problems/index.js';
import { ACCEPTED_BODY_TYPES } from './accepts-body.decorator.js';

const JSON_TYPES = ['application/json', '+json'];
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * A body the route cannot read is refused with 415 instead of being silently ignored (a
 * form-encoded POST to a JSON route would otherwise look like an empty body).
 *
 * A guard rather than an interceptor: with no global interceptor, Nest calls handlers without
 * building an RxJS pipeline per request (`npm run bench:profile`). It is registered right after
 * the access guard (src/access/access.module.ts), so a caller who may not call the route learns
 * that first, and a refused request still does no work.
 */
@Injectable()
export class ContentTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
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
    return true;
  }
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
