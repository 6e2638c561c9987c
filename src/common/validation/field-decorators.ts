import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsIn, IsString, MaxLength, MinLength, type ValidationOptions } from 'class-validator';

/**
 * House decorators for the validation rules DTOs repeat. They validate and normalise only; the
 * OpenAPI description stays with each field's @ApiProperty, so the published schema is unchanged.
 *
 * Property decorators run bottom-up, so a composite lists its parts in reverse of how they would
 * be stacked by hand: class-validator then reports a field's failures in the same order.
 */

/** A further normalisation, applied to an already trimmed string. */
export type Normalise = (trimmed: string) => string;

export const toLowerCase: Normalise = (s) => s.toLowerCase();
export const toUpperCase: Normalise = (s) => s.toUpperCase();
/** `#Launch`, `launch` and ` LAUNCH ` are one hashtag: lower-cased, without `#`. */
export const asHashtag: Normalise = (s) => s.replace(/^#/, '').toLowerCase();

/** Trims a string value (then applies `then`); anything else is left for the validators to refuse. */
export function Trimmed(then?: Normalise): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? (then ? then(value.trim()) : value.trim()) : value,
  );
}

/** A required text field: trimmed, then 1 to `max` characters ("must not be blank" when empty). */
export function NonBlankString(max: number): PropertyDecorator {
  return applyDecorators(
    MaxLength(max),
    MinLength(1, { message: 'must not be blank' }),
    IsString(),
    Trimmed(),
  );
}

/** One of a fixed list (an enum's values, defined once and shared with the entity and OpenAPI). */
export function OneOf(
  values: readonly unknown[],
  options?: Pick<ValidationOptions, 'each' | 'message'>,
): PropertyDecorator {
  return IsIn(values, options);
}

/**
 * A list of tags (hashtags, audience tags, mentions): each string trimmed and normalised (lower-
 * cased by default), duplicates after normalising kept once, in first-seen order.
 */
export function Tags(normalise: Normalise = toLowerCase): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    Array.isArray(value)
      ? [
          ...new Set(
            (value as unknown[]).map((v) => (typeof v === 'string' ? normalise(v.trim()) : v)),
          ),
        ]
      : value,
  );
}
