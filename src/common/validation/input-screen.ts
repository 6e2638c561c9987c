import type { FieldError } from '../problems/index.js';

/**
 * Characters no field of this API means: NUL (PostgreSQL text cannot store it, so it became a
 * 22021 error and a 500) and unpaired UTF-16 surrogates (not text at all; encoders silently turn
 * them into U+FFFD, so what is stored is not what was sent). With the `u` flag a paired
 * surrogate is one code point and does not match.
 */
const UNSAFE_TEXT = /[\0\p{Cs}]/u;

/** Query strings and bodies nest a few levels; beyond this the body parser already refused. */
const MAX_WALK_DEPTH = 64;

/**
 * Every string in a request value (body, query or path params), keys included, checked before
 * any validator or the database sees it. Fields are named as the validation errors name them:
 * `a.b`, `items[0]`.
 */
export function findUnsafeText(value: unknown, path = '', depth = 0): FieldError[] {
  if (typeof value === 'string')
    return UNSAFE_TEXT.test(value)
      ? [
          {
            field: path || 'value',
            message: 'must not contain NUL or unpaired surrogate characters',
          },
        ]
      : [];
  if (typeof value !== 'object' || value === null || depth > MAX_WALK_DEPTH) return [];
  const out: FieldError[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => out.push(...findUnsafeText(item, `${path}[${i}]`, depth + 1)));
    return out;
  }
  for (const [key, item] of Object.entries(value)) {
    if (UNSAFE_TEXT.test(key)) {
      out.push({
        field: path || 'body',
        message: 'has a field name with NUL or unpaired surrogate characters',
      });
      continue;
    }
    out.push(...findUnsafeText(item, path ? `${path}.${key}` : key, depth + 1));
  }
  return out;
}

/**
 * Objects that cannot become a number or a string: JSON can give an object its own `toString` or
 * `valueOf` that is not a function (`{"valueOf": []}`), and converting it to a primitive (as
 * class-transformer does for a `@Type(() => Number)` field) then throws a TypeError. Named like the
 * validation errors, for the 400 that answers it.
 */
export function findUnconvertibleObjects(value: unknown, path = '', depth = 0): FieldError[] {
  if (typeof value !== 'object' || value === null || depth > MAX_WALK_DEPTH) return [];
  const out: FieldError[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) =>
      out.push(...findUnconvertibleObjects(item, `${path}[${i}]`, depth + 1)),
    );
    return out;
  }
  const own = value as Record<string, unknown>;
  for (const member of ['toString', 'valueOf'])
    if (Object.hasOwn(own, member) && typeof own[member] !== 'function')
      return [{ field: path || 'body', message: 'must be a value of the documented type' }];
  for (const [key, item] of Object.entries(own))
    out.push(...findUnconvertibleObjects(item, path ? `${path}.${key}` : key, depth + 1));
  return out;
}

/** Where @nestjs/swagger keeps a DTO property's documented schema (ApiProperty options). */
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';

/**
 * `null` is a value only where the contract says so. `@IsOptional()` lets null through as if the
 * field were absent, so a PATCH with `{"title": null}` reached the database as NULL (a 500). The
 * documented schema is the rule: a DTO property that is not `nullable: true` refuses null.
 * Properties the DTO does not document are left to the whitelist check.
 */
export function findForbiddenNulls(value: unknown, metatype: unknown, path = ''): FieldError[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const prototype = dtoPrototype(metatype);
  if (!prototype) return [];
  const out: FieldError[] = [];
  for (const [key, item] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    const documented = Reflect.getMetadata(API_MODEL_PROPERTIES, prototype, key) as
      { nullable?: boolean; type?: unknown } | undefined;
    if (!documented) continue;
    if (item === null) {
      if (documented.nullable !== true) out.push({ field, message: 'must not be null' });
      continue;
    }
    // Nested DTOs follow the same rule (e.g. a referral path's `target`).
    const nested: unknown = Array.isArray(documented.type)
      ? (documented.type as unknown[])[0]
      : documented.type;
    if (Array.isArray(item))
      item.forEach((entry, i) => out.push(...findForbiddenNulls(entry, nested, `${field}[${i}]`)));
    else out.push(...findForbiddenNulls(item, nested, field));
  }
  return out;
}

/** The prototype of a documented DTO class: a class, or a `() => Class` thunk as swagger allows. */
function dtoPrototype(type: unknown): object | undefined {
  if (typeof type !== 'function') return undefined;
  const prototype = (type as { prototype?: object }).prototype;
  if (prototype) return prototype;
  const resolved = (type as () => unknown)();
  return typeof resolved === 'function'
    ? (resolved as { prototype?: object }).prototype
    : undefined;
}
