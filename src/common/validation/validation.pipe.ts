import { type ArgumentMetadata, type ValidationError, ValidationPipe } from '@nestjs/common';
import { type FieldError, ProblemException } from '../problems/index.js';
import { findForbiddenNulls, findUnconvertibleObjects, findUnsafeText } from './input-screen.js';

/** Flattens class-validator's tree into `[{field, message}]` with dotted/indexed paths. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      out.push({
        field,
        message:
          constraint === 'whitelistValidation'
            ? 'is not a known field'
            : stripFieldName(message, error.property),
      });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

/** class-validator messages start with the property name ("title must be…"); the field says that. */
function stripFieldName(message: string, property: string): string {
  return message.startsWith(property + ' ') ? message.slice(property.length + 1) : message;
}

/** How many distinct validated queries each query DTO remembers. */
const QUERY_MEMO_SIZE = 500;
/** Longer query strings are validated every time (they are unlikely to repeat). */
const QUERY_MEMO_MAX_KEY = 512;

/**
 * The global pipe, plus one shortcut for query strings: list routes are called with the same few
 * queries over and over (`?limit=20`, `?hashtag=…`), and validating a query is a pure function of
 * its DTO and its values. So a query that passed is remembered per DTO (the QUERY_MEMO_SIZE most
 * recently used) and the next identical query gets a copy of the validated instance without
 * running class-transformer and class-validator again. Failures are never remembered, nor are
 * queries carrying a `cursor` (every page's is different) or long ones. Copies are shallow, so
 * query DTOs hold flat values only; and they must stay pure: no validators that look anything up.
 */
class ApiValidationPipe extends ValidationPipe {
  private readonly validQueries = new WeakMap<object, Map<string, object>>();

  /**
   * Custom parameters (the principal, the request origin) are the app's own values, not input:
   * nothing to screen, and ValidationPipe leaves them alone (validateCustomDecorators is off). They
   * are handed back at once rather than through three async calls, as most user routes take one.
   */
  // Nest awaits whatever a pipe returns; the base class types it as a promise.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override transform(value: unknown, metadata: ArgumentMetadata): any {
    if (metadata.type === 'custom') return value;
    return this.transformInput(value, metadata);
  }

  private async transformInput(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return await this.screenAndTransform(value, metadata);
    } catch (error) {
      // class-transformer converts values before class-validator checks them, and a conversion
      // that throws (an object whose own `valueOf` is not a function, given to a number field) is
      // still the client's malformed value: a 400 naming the field, not a 500.
      if (!(error instanceof TypeError)) throw error;
      const root = metadata.type === 'param' ? (metadata.data ?? 'path') : '';
      const fields = findUnconvertibleObjects(value, root);
      throw ProblemException.validation(
        fields.length
          ? fields.slice(0, MAX_SCREEN_ERRORS)
          : [{ field: root || metadata.type, message: 'holds a value of the wrong type' }],
      );
    }
  }

  private async screenAndTransform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    screenInput(value, metadata);
    const type = metadata.metatype as (new () => object) | undefined;
    if (metadata.type !== 'query' || !type || typeof value !== 'object' || value === null)
      return super.transform(value, metadata);
    let memo = this.validQueries.get(type);
    if (!memo) this.validQueries.set(type, (memo = new Map<string, object>()));
    const key = JSON.stringify(value);
    if ('cursor' in value || key.length > QUERY_MEMO_MAX_KEY)
      return super.transform(value, metadata);
    const known = memo.get(key);
    if (known) {
      memo.delete(key); // most recently used last, so eviction takes the least recently used
      memo.set(key, known);
      return Object.assign(new type(), known);
    }
    const result = (await super.transform(value, metadata)) as object;
    if (memo.size >= QUERY_MEMO_SIZE) memo.delete(memo.keys().next().value as string);
    memo.set(key, Object.assign(new type(), result));
    return result;
  }
}

/**
 * Checks no validator is trusted to make: text the database cannot store or that is not text,
 * and null where the contract does not allow it. Custom parameters (the principal) are ours.
 */
function screenInput(value: unknown, metadata: ArgumentMetadata): void {
  if (metadata.type === 'custom') return;
  const root = metadata.type === 'param' ? (metadata.data ?? 'path') : '';
  const errors = findUnsafeText(value, root);
  if (metadata.type === 'body') errors.push(...findForbiddenNulls(value, metadata.metatype));
  // A few are enough to act on; a body of a million bad strings must not answer megabytes.
  if (errors.length) throw ProblemException.validation(errors.slice(0, MAX_SCREEN_ERRORS));
}

const MAX_SCREEN_ERRORS = 20;

/** Unknown fields are rejected (not stripped), values are transformed into the DTO's types. */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => ProblemException.validation(flattenValidationErrors(errors)),
  });
}
