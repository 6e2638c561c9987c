import { createHash } from 'node:crypto';
import { ProblemException } from '../../../common/index.js';

/** How long an Idempotency-Key answers with the same link (Stripe keeps its own keys as long). */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The header's value, checked: 1–255 visible ASCII characters; undefined when not sent. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!/^[\x21-\x7e]{1,255}$/.test(value))
    throw ProblemException.validation([
      { field: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' },
    ]);
  return value;
}

/** A request's fingerprint: the same body (in any key order) gives the same hash. */
export function requestHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * A uuid derived from the buyer and their key, so a retried request reuses the purchase id (and
 * with it the exact parameters Stripe saw under the same idempotency key) even if the first
 * attempt failed after Stripe answered.
 */
export function uuidFromKey(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // RFC 9562 layout: version 8 (custom), variant 10.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
