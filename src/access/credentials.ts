import type { Scope } from './scopes.js';
import type { PrincipalUser, TokenIdentity } from './principal.js';

/** The browser session cookie. Access reads it; the Account module sets and clears it. */
export const SESSION_COOKIE = 'gpx_session';

export interface ResolvedSession {
  sessionId: string;
  user: PrincipalUser;
  /** The CSRF token this session's cookie-authenticated writes must present. */
  csrfToken: string;
}

export interface VerifiedToken {
  user: PrincipalUser;
  token: TokenIdentity;
}

/**
 * What the access layer needs from whoever owns users, sessions and tokens. Access sits below
 * the modules, so it declares this (the class is the injection token) and the Account module
 * provides it; the composition root wires the two through `AccessModule.forRoot`.
 */
export abstract class CredentialStore {
  /** The live session behind a cookie value; null when unknown, expired, idle or revoked. */
  abstract resolveSession(cookieValue: string): Promise<ResolvedSession | null>;
  /** The live token behind a presented bearer value; null when malformed, unknown, expired or revoked. */
  abstract verifyToken(presented: string): Promise<VerifiedToken | null>;
  /**
   * The same answer when it is held in memory (a recent verification), without I/O; undefined
   * when only verifyToken can tell. Lets the hot path of token requests stay synchronous.
   */
  abstract verifyTokenFromMemory(presented: string): VerifiedToken | null | undefined;
  /**
   * Records that a token was used, and which of its granted scopes the call relied on (off the
   * request's critical path).
   */
  abstract noteTokenUse(tokenId: string, ip: string | null, scopesUsed: readonly Scope[]): void;
}
