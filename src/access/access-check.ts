import { decideAccess } from './access-decision.js';
import type { AccessKind, AccessRule } from './access-kinds.js';
import type { Principal } from './principal.js';
import { missingScopes, type Scope } from './scopes.js';

/** The can-I answer for one caller and one route, before the caller tries it. */
export interface AccessCheck {
  allowed: boolean;
  authKind: AccessKind;
  requiredScopes: Scope[];
  missingScopes: Scope[];
  /** The refusal code the route would answer with (null: allowed). */
  reason: string | null;
}

/**
 * Whether `principal` may call a route declaring `rule` with `method`: the guard's own pure
 * decision (`decideAccess`) on the same declared rule, so the check and the guard cannot disagree
 * (a unit spec holds them to that for every catalog endpoint). A session is assumed to send its
 * CSRF token, as the web app does. It says nothing about the resource (is this post yours?) or
 * the input: those are the route's own answers.
 */
export function checkAccess(rule: AccessRule, principal: Principal, method: string): AccessCheck {
  const refusal = decideAccess(
    rule,
    {
      outcome: 'principal',
      principal,
      presentedCsrf: principal.kind === 'session' ? principal.csrfToken : undefined,
    },
    method.toUpperCase(),
  );
  const requiredScopes = rule.kind === 'user' ? [...rule.scopes] : [];
  return {
    allowed: refusal === null,
    authKind: rule.kind,
    requiredScopes,
    missingScopes:
      principal.kind === 'pat' ? missingScopes(principal.token.scopes, requiredScopes) : [],
    reason: refusal?.code ?? null,
  };
}
