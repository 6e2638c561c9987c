import { createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { encodeBase62, randomBase62 } from '../common/base62.js';

/**
 * Personal access token format: `gpx_pat_` + 32 random base62 characters + a 6-character base62
 * CRC-32 of those 32. The fixed prefix lets secret scanners find tokens; the checksum lets them
 * (and this server) reject a mistyped or made-up candidate without a database lookup.
 */
export const PAT_PREFIX = 'gpx_pat_';
const BODY_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
export const PAT_LENGTH = PAT_PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH;
const PAT_SHAPE = new RegExp(`^${PAT_PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);

export function patChecksum(body: string): string {
  return encodeBase62(crc32(body) >>> 0, CHECKSUM_LENGTH);
}

export function generatePat(): string {
  const body = randomBase62(BODY_LENGTH);
  return PAT_PREFIX + body + patChecksum(body);
}

/** Shape and checksum only: says nothing about whether the token exists. */
export function isWellFormedPat(candidate: string): boolean {
  if (!PAT_SHAPE.test(candidate)) return false;
  const body = candidate.slice(PAT_PREFIX.length, PAT_PREFIX.length + BODY_LENGTH);
  return patChecksum(body) === candidate.slice(PAT_PREFIX.length + BODY_LENGTH);
}

/** What the database stores instead of the token: HMAC-SHA-256 under the server's pepper. */
export function digestSecret(pepper: string, secret: string): string {
  return createHmac('sha256', pepper).update(secret).digest('hex');
}

/** A short, non-secret handle for logs, audit events and the token list (`gpx_pat_AbCd`). */
export function patDisplayPrefix(token: string): string {
  return token.slice(0, PAT_PREFIX.length + 4);
}
