const DAY_MS = 24 * 3600 * 1000;
/** `X-Token-Expires-At` is sent in a token's last 30 days. */
export const EXPIRES_AT_HEADER_WINDOW_MS = 30 * DAY_MS;
/** The `Warning` header is added in its last 7 days, when a client should act. */
export const EXPIRY_WARNING_WINDOW_MS = 7 * DAY_MS;

/**
 * The expiry headers of a PAT response. In the last 7 days, next to `X-Token-Expires-At`, a
 * `Warning: 299 - "…"` (RFC 7234's "miscellaneous persistent warning"; RFC 9111 retired the
 * header, but HTTP libraries and proxies still log it, which is the point: a script's logs show
 * the coming expiry without anyone reading a custom header).
 */
export function tokenExpiryHeaders(expiresAt: Date | null, nowMs: number): Record<string, string> {
  if (!expiresAt) return {};
  const left = expiresAt.getTime() - nowMs;
  if (left > EXPIRES_AT_HEADER_WINDOW_MS) return {};
  const iso = expiresAt.toISOString();
  const headers: Record<string, string> = { 'X-Token-Expires-At': iso };
  if (left <= EXPIRY_WARNING_WINDOW_MS) headers.Warning = `299 - "token expires at ${iso}"`;
  return headers;
}
