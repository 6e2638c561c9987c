import { type AccessRule, accessErrors } from '../access/access-kinds.js';
import { ERROR_CODES, type ErrorCode } from '../common/index.js';
import type { CatalogError } from './catalog.types.js';

/** The facts about a route its errors depend on. */
export interface RouteShape {
  rule: AccessRule;
  /** Upper-case HTTP method. */
  method: string;
  /** Whether it takes parameters, a query or a body (which validation can refuse). */
  hasInput: boolean;
  /** What the route declared with `@DeclareErrors` (the `x-gpx-errors` extension). */
  declared: readonly ErrorCode[];
}

function catalogError(code: ErrorCode): CatalogError {
  return { status: ERROR_CODES[code].status, code, when: ERROR_CODES[code].when };
}

/**
 * The errors an endpoint can answer: those its input implies, then its access kind's (from the
 * access table), then its own, then the two every route has (database unavailable, rate limit). The test harness checks every
 * problem response the suite provokes against this list.
 */
export function routeErrors({ rule, method, hasInput, declared }: RouteShape): CatalogError[] {
  const codes: ErrorCode[] = [];
  if (hasInput) codes.push('validation_failed');
  // Any POST, PUT or PATCH may be sent a body: a JSON one is size-limited by the parser, and
  // one in a media type the route does not take is refused (ContentTypeGuard).
  if (method === 'POST' || method === 'PUT' || method === 'PATCH')
    codes.push('payload_too_large', 'unsupported_media_type');
  for (const code of accessErrors(rule.kind, {
    method,
    scopes: rule.kind === 'user' ? rule.scopes : [],
  })) {
    // A webhook route may answer a bad signature with its sender's expected code.
    codes.push(
      code === 'invalid_signature' && rule.kind === 'webhook-ingress' && rule.refusal
        ? rule.refusal
        : code,
    );
  }
  for (const code of declared) if (!codes.includes(code)) codes.push(code);
  // Every route may need the database (at least to resolve the caller): when it refuses, 503.
  if (!codes.includes('unavailable')) codes.push('unavailable');
  codes.push('rate_limited');
  return codes.map(catalogError);
}
