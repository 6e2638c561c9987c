import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiSecurity } from '@nestjs/swagger';
import type { Scope } from './scopes.js';

export const ACCESS_METADATA = 'gpx:access';

export type AccessKind =
  'public' | 'user' | 'browser-only' | 'webhook-ingress' | 'internal' | 'admin-only';

export type AccessRule =
  | { kind: 'public' }
  | { kind: 'user'; scopes: Scope[] }
  | { kind: 'browser-only' }
  | { kind: 'webhook-ingress'; verifier: string }
  | { kind: 'internal' }
  | { kind: 'admin-only' };

export const AUTH_KIND_DESCRIPTIONS: Record<AccessKind, string> = {
  public: 'Anyone may call it; no credentials needed.',
  user: 'A browser session, or a personal access token holding every listed scope (no scopes listed: any token).',
  'browser-only':
    'A signed-in browser session only; personal access tokens are refused with session_required.',
  'webhook-ingress':
    'Called by an outside system (e.g. Stripe) whose request signature must verify; no user credentials.',
  internal:
    'Internal services presenting the service credential (X-Internal-Token); never a token or a session.',
  'admin-only': 'A browser session of a user with the admin role.',
};

export const PAT_SECURITY = 'pat';
export const SESSION_SECURITY = 'session';
export const INTERNAL_SECURITY = 'internal';

/**
 * One decorator per access kind. Each writes the guard's metadata and the OpenAPI security
 * requirement in the same place; the catalog then reads the guard's metadata with the Reflector
 * and writes the x-gpx extension, so what is enforced and what is documented cannot drift apart.
 */
function declare(rule: AccessRule, ...openApi: (ClassDecorator & MethodDecorator)[]) {
  return applyDecorators(SetMetadata(ACCESS_METADATA, rule), ...openApi);
}

/** Anyone, no credentials. */
export const Public = () => declare({ kind: 'public' });

/** A browser session, or a PAT holding all of `scopes` (none listed: any authenticated caller). */
export const RequireScopes = (...scopes: Scope[]) =>
  declare({ kind: 'user', scopes }, ApiBearerAuth(PAT_SECURITY), ApiCookieAuth(SESSION_SECURITY));

/** A browser session only; a PAT is refused with `session_required`. */
export const BrowserOnly = () => declare({ kind: 'browser-only' }, ApiCookieAuth(SESSION_SECURITY));

/** A caller whose request signature the named verifier accepts (see WebhookVerifierRegistry). */
export const WebhookIngress = (verifier: string) => declare({ kind: 'webhook-ingress', verifier });

/** Internal services with the service credential; closed when INTERNAL_API_TOKEN is unset. */
export const Internal = () => declare({ kind: 'internal' }, ApiSecurity(INTERNAL_SECURITY));

/** A browser session of an admin. */
export const AdminOnly = () => declare({ kind: 'admin-only' }, ApiCookieAuth(SESSION_SECURITY));
