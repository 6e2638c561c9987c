import { type ArgumentMetadata, type ValidationError, ValidationPipe } from '@nestjs/common';
import { type FieldError, ProblemException } from '../problems/index.js';

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

/**
 * The global pipe, plus one shortcut: a query DTO that accepts an empty query (every field
 * optional) is validated against `{}` once, and later empty queries get a fresh instance without
 * running class-validator again. Plain GETs of list routes skip the validator's cost this way.
 */
class ApiValidationPipe extends ValidationPipe {
  private readonly acceptsEmptyQuery = new WeakMap<object, boolean>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype as (new () => object) | undefined;
    const emptyQuery =
      metadata.type === 'query' &&
      type !== undefined &&
      typeof value === 'object' &&
      value !== null &&
      Object.keys(value).length === 0;
    if (!emptyQuery) return super.transform(value, metadata);
    const known = this.acceptsEmptyQuery.get(type);
    if (known) return new type();
    try {
      const result: unknown = await super.transform(value, metadata);
      this.acceptsEmptyQuery.set(type, true);
      return result;
    } catch (error) {
      this.acceptsEmptyQuery.set(type, false);
      throw error;
    }
  }
}

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
