import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import type { ErrorCode } from '../common/index.js';
import type { Scope } from './scopes.js';

export const ACCESS_METADATA = 'gpx:access';

export type AccessRule =
  | { kind: 'public' }
  | { kind: 'user'; scopes: Scope[] }
  | { kind: 'browser-only' }
  | { kind: 'token-only' }
  | {
      kind: 'webhook-ingress';
      verifier: string;
      /** The refusal for a bad signature; default `invalid_signature` (401). */
      refusal?: SignatureRefusal;
    }
  | { kind: 'internal' }
  | { kind: 'admin-only' };

export type AccessKind = AccessRule['kind'];

export const PAT_SECURITY = 'pat';
export const SESSION_SECURITY = 'session';
export const INTERNAL_SECURITY = 'internal';

/** What a route's errors depend on besides its kind. */
export interface AccessErrorContext {
  /** Upper-case HTTP method. */
  method: string;
  /** The scopes a `user` route lists (empty for every other kind). */
  scopes: readonly Scope[];
}

export interface AccessKindFacts {
  description: string;
  /** The OpenAPI security schemes the kind's decorator applies, in this order (none: no credentials). */
  security: readonly string[];
  /** Whether a personal access token can call it. */
  tokens: boolean;
  /** Whether a browser session can call it (and, on unsafe methods, must send the CSRF token). */
  sessions: boolean;
  /** Whether the public catalog and OpenAPI list it; otherwise only admins see it. */
  listedPublicly: boolean;
  /**
   * Every error the access check of this kind can answer, in the order the catalog lists them.
   * Some apply only in a context: see `accessErrors`.
   */
  errors: readonly ErrorCode[];
}

/**
 * One row per access kind: what the decorator declares, what the guard admits and what the
 * catalog documents all read this table, so they cannot disagree. Order matters: the catalog
 * lists the kinds in this order.
 */
export const ACCESS_KINDS: Readonly<Record<AccessKind, AccessKindFacts>> = {
  public: {
    description: 'Anyone may call it; no credentials needed.',
    security: [],
    tokens: false,
    sessions: false,
    listedPublicly: true,
    errors: [],
  },
  user: {
    description:
      'A browser session, or a personal access token holding every listed scope (no scopes listed: any token).',
    security: [PAT_SECURITY, SESSION_SECURITY],
    tokens: true,
    sessions: true,
    listedPublicly: true,
    // forbidden: the internal service credential is refused on every route for people.
    errors: [
      'unauthenticated',
      'invalid_token',
      'ip_not_allowed',
      'insufficient_scope',
      'csrf_failed',
      'forbidden',
    ],
  },
  'browser-only': {
    description:
      'A signed-in browser session only; personal access tokens are refused with session_required.',
    security: [SESSION_SECURITY],
    tokens: false,
    sessions: true,
    listedPublicly: true,
    errors: ['unauthenticated', 'invalid_token', 'session_required', 'csrf_failed', 'forbidden'],
  },
  // For protocols spoken by automation only (the MCP server): any valid personal access token,
  // whatever its scopes, since what each call inside may do is decided again per route. A browser
  // session is refused, so a page can never be made to drive it with the user's cookie.
  'token-only': {
    description:
      'A personal access token only, whatever its scopes; browser sessions are refused with forbidden.',
    security: [PAT_SECURITY],
    tokens: true,
    sessions: false,
    listedPublicly: true,
    errors: ['unauthenticated', 'invalid_token', 'ip_not_allowed', 'forbidden'],
  },
  'webhook-ingress': {
    description:
      'Called by an outside system (e.g. Stripe) whose request signature must verify; no user credentials.',
    security: [],
    tokens: false,
    sessions: false,
    listedPublicly: true,
    errors: ['invalid_signature'],
  },
  internal: {
    description:
      'Internal services presenting the service credential (X-Internal-Token); never a token or a session.',
    security: [INTERNAL_SECURITY],
    tokens: false,
    sessions: false,
    listedPublicly: false,
    errors: ['unauthenticated', 'forbidden'],
  },
  'admin-only': {
    description: 'A browser session of a user with the admin role.',
    security: [SESSION_SECURITY],
    tokens: false,
    sessions: true,
    listedPublicly: false,
    errors: [
      'unauthenticated',
      'invalid_token',
      'session_required',
      'admin_required',
      'csrf_failed',
      'forbidden',
    ],
  },
};

export const ACCESS_KIND_NAMES = Object.keys(ACCESS_KINDS) as AccessKind[];

/** Errors a kind lists that arise only in some contexts; the rest always can. */
const ONLY_WHEN: Partial<Record<ErrorCode, (context: AccessErrorContext) => boolean>> = {
  // Reading is never refused for a missing CSRF token.
  csrf_failed: ({ method }) => method !== 'GET' && method !== 'HEAD',
  // A route listing no scopes admits any token.
  insufficient_scope: ({ scopes }) => scopes.length > 0,
};

/** The errors the access check of `kind` can answer on a route with this method and scopes. */
export function accessErrors(kind: AccessKind, context: AccessErrorContext): ErrorCode[] {
  return ACCESS_KINDS[kind].errors.filter((code) => ONLY_WHEN[code]?.(context) ?? true);
}

/**
 * One decorator per access kind. Each writes the guard's metadata and the OpenAPI security
 * requirement (from the table) in the same place; the catalog then reads the guard's metadata with
 * the Reflector and writes the x-gpx extension, so what is enforced and what is documented cannot
 * drift apart.
 */
function declare(rule: AccessRule) {
  const security = ACCESS_KINDS[rule.kind].security.map((scheme) => ApiSecurity(scheme));
  return applyDecorators(SetMetadata(ACCESS_METADATA, rule), ...security);
}

/** Anyone, no credentials. */
export const Public = () => declare({ kind: 'public' });

/** A browser session, or a PAT holding all of `scopes` (none listed: any authenticated caller). */
export const RequireScopes = (...scopes: Scope[]) => declare({ kind: 'user', scopes });

/** A browser session only; a PAT is refused with `session_required`. */
export const BrowserOnly = () => declare({ kind: 'browser-only' });

/** Any personal access token (no scope needed); a browser session is refused with `forbidden`. */
export const TokenOnly = () => declare({ kind: 'token-only' });

/** A caller whose request signature the named verifier accepts (see WebhookVerifierRegistry). */
export const WebhookIngress = (verifier: string, options: { refusal?: SignatureRefusal } = {}) =>
  declare({ kind: 'webhook-ingress', verifier, ...options });

/**
 * How a bad signature is answered. `invalid_signature` (401) by default; `signature_rejected`
 * (400) for senders whose documentation expects a 400, as Stripe's does.
 */
export type SignatureRefusal = 'invalid_signature' | 'signature_rejected';

/** Internal services with the service credential; closed when INTERNAL_API_TOKEN is unset. */
export const Internal = () => declare({ kind: 'internal' });

/** A browser session of an admin. */
export const AdminOnly = () => declare({ kind: 'admin-only' });
