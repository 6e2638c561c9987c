import type { ErrorCode } from '../common/index.js';
import { constantTimeEqual } from '../common/index.js';
import type { AccessRule } from './access-kinds.js';
import type { Identification } from './identification.js';
import { isWellFormedPat, patDisplayPrefix } from './pat-format.js';
import type { Principal } from './principal.js';
import { missingScopes, type Scope } from './scopes.js';
import { ipAllowed } from './token-constraints.js';

const REALM = 'GetPaidX';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Why a request is refused: the problem to answer with, and the audit row it deserves (if any). */
export interface Refusal {
  code: ErrorCode;
  detail: string;
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
  /** Present when the refusal is worth an `access.denied` audit row. */
  audit?: { reason: string; extra?: Record<string, unknown> };
}

type UserRule = Extract<
  AccessRule,
  { kind: 'user' | 'browser-only' | 'token-only' | 'admin-only' }
>;
type PatPrincipal = Extract<Principal, { kind: 'pat' }>;

/**
 * The authorisation decision, pure: given the route's declared access kind, who the request
 * identified as and its method, the refusal to answer with, or null to let it through. Checks
 * run in a fixed order (credentials, then token scopes or the session requirement, then the
 * admin role, then CSRF), so a caller learns of the first problem only.
 */
export function decideAccess(
  rule: AccessRule,
  caller: Identification,
  method: string,
  /**
   * The client address as Express reports it (`req.ip`, honouring `trust proxy`); null when
   * unknown (an allowlisted token is then refused). Undefined only for a can-I check made by a
   * caller who already passed the guard from its address: the allowlist is not judged.
   */
  clientIp?: string | null,
): Refusal | null {
  switch (rule.kind) {
    case 'public':
      // Public routes never fail on credentials.
      return null;
    case 'webhook-ingress':
      return caller.outcome === 'signature' && caller.valid
        ? null
        : {
            code: rule.refusal ?? 'invalid_signature',
            detail: 'The request signature is missing or does not verify.',
          };
    case 'internal':
      return decideInternal(caller);
    case 'user':
    case 'browser-only':
    case 'token-only':
    case 'admin-only':
      return decideForUser(rule, caller, method, clientIp);
  }
}

function decideInternal(caller: Identification): Refusal | null {
  switch (caller.outcome) {
    case 'service_credential_unconfigured':
      return forbidden('Internal routes are closed: no service credential is configured.');
    case 'principal':
      if (caller.principal.kind === 'internal') return null;
      return takesServiceCredentialOnly();
    case 'foreign_credentials':
    case 'invalid_token':
    case 'stale_session':
      return takesServiceCredentialOnly();
    case 'invalid_service_credential':
      return { code: 'unauthenticated', detail: 'The service credential is not valid.' };
    case 'none':
    case 'signature':
      return {
        code: 'unauthenticated',
        detail: 'Send the service credential in X-Internal-Token.',
      };
  }
}

function decideForUser(
  rule: UserRule,
  caller: Identification,
  method: string,
  clientIp: string | null | undefined,
): Refusal | null {
  switch (caller.outcome) {
    case 'principal':
      break;
    case 'invalid_token':
      return invalidToken(caller.presented);
    case 'stale_session':
      return unauthenticated('The session has ended; sign in again.');
    case 'none':
    case 'service_credential_unconfigured':
    case 'invalid_service_credential':
    case 'foreign_credentials':
    case 'signature':
      return unauthenticated(
        'Sign in, or send Authorization: Bearer gpx_pat_… with a personal access token.',
      );
  }
  const { principal } = caller;
  if (principal.kind === 'internal') {
    return forbidden('The service credential is accepted on internal routes only.');
  }
  // A token used from outside its allowlist learns nothing more (not even its scopes' fit), on
  // every route a token can pass; on browser-only and admin-only ones session_required says all.
  if (
    principal.kind === 'pat' &&
    (rule.kind === 'user' || rule.kind === 'token-only') &&
    principal.token.allowedIps &&
    clientIp !== undefined &&
    !ipAllowed(clientIp, principal.token.allowedIps)
  ) {
    return ipNotAllowed(clientIp, principal.token.allowedIps);
  }
  switch (rule.kind) {
    case 'user':
      if (principal.kind === 'pat') {
        const refusal = insufficientScope(principal, rule.scopes);
        if (refusal) return refusal;
      }
      break;
    case 'browser-only':
      if (principal.kind === 'pat') return SESSION_REQUIRED;
      break;
    case 'token-only':
      if (principal.kind === 'session') return TOKEN_REQUIRED;
      break;
    case 'admin-only':
      if (principal.kind === 'pat') return SESSION_REQUIRED;
      if (!principal.user.isAdmin) {
        return {
          code: 'admin_required',
          detail: 'This route is for admins.',
          audit: { reason: 'admin_required' },
        };
      }
      break;
  }
  if (
    principal.kind === 'session' &&
    UNSAFE_METHODS.has(method) &&
    !csrfMatches(principal.csrfToken, caller.presentedCsrf)
  ) {
    return {
      code: 'csrf_failed',
      detail:
        'Send the X-CSRF-Token header from GET /api/auth/session with cookie-authenticated writes.',
      audit: { reason: 'csrf_failed' },
    };
  }
  return null;
}

/** A session's CSRF token against the header a cookie-authenticated write presented. */
export function csrfMatches(expected: string, presented: string | undefined): boolean {
  return typeof presented === 'string' && constantTimeEqual(presented, expected);
}

function invalidToken(presented: string): Refusal {
  const wellFormed = isWellFormedPat(presented);
  return {
    code: 'invalid_token',
    detail: wellFormed
      ? 'The token is unknown, expired or revoked.'
      : 'The bearer token is malformed: personal access tokens look like gpx_pat_ followed by 38 letters and digits.',
    headers: { 'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token"` },
    // A well-formed token that is unknown, expired or revoked is worth an audit row; random
    // garbage is not (and is rate limited per IP).
    ...(wellFormed
      ? { audit: { reason: 'invalid_token', extra: { tokenPrefix: patDisplayPrefix(presented) } } }
      : {}),
  };
}

function insufficientScope(principal: PatPrincipal, required: Scope[]): Refusal | null {
  const missing = missingScopes(principal.token.scopes, required);
  if (missing.length === 0) return null;
  return {
    code: 'insufficient_scope',
    detail: `This token lacks ${missing.join(', ')}. Create a token with the scopes this route needs.`,
    extensions: { requiredScopes: required, grantedScopes: principal.token.scopes },
    headers: {
      'WWW-Authenticate': `Bearer realm="${REALM}", error="insufficient_scope", scope="${required.join(' ')}"`,
      'X-Accepted-Scopes': required.join(', '),
    },
    audit: {
      reason: 'insufficient_scope',
      extra: { requiredScopes: required, missingScopes: missing },
    },
  };
}

function ipNotAllowed(clientIp: string | null, allowed: readonly string[]): Refusal {
  return {
    code: 'ip_not_allowed',
    detail: `This token may be used only from ${allowed.join(', ')}; this request came from ${clientIp ?? 'an unknown address'}.`,
    extensions: { clientIp },
    audit: { reason: 'ip_not_allowed', extra: { clientIp, allowedIps: allowed } },
  };
}

const SESSION_REQUIRED: Refusal = {
  code: 'session_required',
  detail: 'This route needs a signed-in browser session; personal access tokens cannot use it.',
  audit: { reason: 'session_required' },
};

const TOKEN_REQUIRED: Refusal = {
  code: 'forbidden',
  detail:
    'This route takes a personal access token (Authorization: Bearer gpx_pat_…); browser sessions cannot use it.',
  audit: { reason: 'token_required' },
};

function unauthenticated(detail: string): Refusal {
  return {
    code: 'unauthenticated',
    detail,
    headers: { 'WWW-Authenticate': `Bearer realm="${REALM}"` },
  };
}

function forbidden(detail: string): Refusal {
  return { code: 'forbidden', detail };
}

function takesServiceCredentialOnly(): Refusal {
  return forbidden('Internal routes take the service credential only, never a token or a session.');
}
