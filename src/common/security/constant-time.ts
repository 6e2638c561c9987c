import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets without leaking, through timing, how much of them matched or how long the
 * expected one is: both sides are hashed to a fixed length first, so `timingSafeEqual` never
 * sees (or throws on) inputs of different lengths. Use it for every comparison of a presented
 * secret (service credential, CSRF token, upload secret) against the expected value.
 */
export function constantTimeEqual(presented: string | Buffer, expected: string | Buffer): boolean {
  return timingSafeEqual(sha256(presented), sha256(expected));
}

function sha256(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}
