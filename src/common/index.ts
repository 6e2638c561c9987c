export * from './problems/index.js';
export * from './pagination/pagination.js';
export { createValidationPipe, flattenValidationErrors } from './validation/validation.pipe.js';
export { PrototypedExpressAdapter } from './http/express-adapter.js';
export { requestIdMiddleware } from './http/request-id.middleware.js';
export { bodyParserErrorHandler } from './http/body-parser-errors.js';
export { assertJsonDepth, exceedsJsonDepth, MAX_JSON_DEPTH } from './http/json-depth.js';
export { trackForShutdown, type HttpDrainer } from './http/graceful-shutdown.js';
export { unmatchedRouteHandler } from './http/unmatched-route.js';
export { AcceptsBody } from './http/accepts-body.decorator.js';
export { ContentTypeGuard } from './http/content-type.guard.js';
export {
  describeDatabaseError,
  errorForLog,
  isDatabaseUnavailable,
  isDataException,
  isUniqueViolation,
  sqlStateOf,
} from './database-errors.js';
export { uuidParam } from './http/uuid-param.js';
export {
  asHashtag,
  NonBlankString,
  type Normalise,
  OneOf,
  Tags,
  toLowerCase,
  toUpperCase,
  Trimmed,
} from './validation/field-decorators.js';
export { encodeBase62, randomBase62 } from './base62.js';
export { constantTimeEqual } from './security/constant-time.js';
export { Clock, SystemClock } from './clock.js';
export { SecretBox } from './security/secret-box.js';
export { PollingLoop, type PollingLoopOptions } from './polling-loop.js';
export { CommonModule } from './common.module.js';
export { helmetHeaders, securityHeaders } from './http/security-headers.js';
