import type { Scope } from '../../../access/scopes.js';
import { ProblemException } from '../../../common/index.js';

const DAY_MS = 24 * 3600 * 1000;

/** How long before a stale token's revocation its owner is warned. */
export const STALE_WARNING_DAYS = 14;

/** The admin token policy in force: configuration defaults, each possibly overridden by an admin. */
export interface TokenPolicy {
  /** Null: no maximum beyond the built-in one year. Set: every token needs an expiry within it. */
  maxLifetimeDays: number | null;
  /** Whether a token must have an expiry. */
  expiryRequired: boolean;
  /** Scopes only an admin's token may hold. */
  adminOnlyScopes: Scope[];
  /** 0: off. Otherwise a token unused this long is revoked (warned 14 days before). */
  staleAfterDays: number;
}

export const TOKEN_POLICY_RULES = ['max_lifetime', 'expiry_required', 'admin_only_scope'] as const;
export type TokenPolicyRule = (typeof TOKEN_POLICY_RULES)[number];

export interface TokenPolicyViolation {
  rule: TokenPolicyRule;
  /** The request field the rule is about. */
  field: 'expiresAt' | 'scopes';
  /** The limit the token is outside of: days for max_lifetime, the scope for admin_only_scope. */
  limit: number | string | true;
  message: string;
}

/** The facts about one grant (a token being made, or one that exists) that the policy judges. */
export interface GrantUnderPolicy {
  scopes: readonly Scope[];
  expiresAt: Date | null;
  /** When its lifetime starts: now for a token being made, `created_at` for an existing one. */
  from: Date;
  /** Whether the token's owner is an admin (only admins may hold admin-only scopes). */
  ownerIsAdmin: boolean;
}

/**
 * Every rule of `policy` the grant breaks, in a stable order (expiry rules, then scopes). Pure:
 * creation, rotation, child tokens and the admin inventory all judge with this one function.
 */
export function evaluateTokenPolicy(
  policy: TokenPolicy,
  grant: GrantUnderPolicy,
): TokenPolicyViolation[] {
  const violations: TokenPolicyViolation[] = [];
  if (policy.expiryRequired && grant.expiresAt === null)
    violations.push({
      rule: 'expiry_required',
      field: 'expiresAt',
      limit: true,
      message: 'an expiry is required by the token policy',
    });
  const max = policy.maxLifetimeDays;
  if (max !== null) {
    const lifetimeMs =
      grant.expiresAt === null ? Infinity : grant.expiresAt.getTime() - grant.from.getTime();
    if (lifetimeMs > max * DAY_MS)
      violations.push({
        rule: 'max_lifetime',
        field: 'expiresAt',
        limit: max,
        message:
          grant.expiresAt === null
            ? `the token policy allows at most ${max} days: set an expiry within ${max} days`
            : `must be at most ${max} days after the token's creation (token policy)`,
      });
  }
  if (!grant.ownerIsAdmin)
    for (const scope of grant.scopes)
      if (policy.adminOnlyScopes.includes(scope))
        violations.push({
          rule: 'admin_only_scope',
          field: 'scopes',
          limit: scope,
          message: `${scope} may only be granted to admins (token policy)`,
        });
  return violations;
}

/**
 * The 400 for a token outside the policy: `code` token_policy_violation, the first broken rule's
 * `rule`, `field` and `limit` at the top, every one in `violations`, and `errors` like any 400.
 */
export function tokenPolicyProblem(violations: TokenPolicyViolation[]): ProblemException {
  const [first] = violations;
  return new ProblemException({
    code: 'token_policy_violation',
    detail: `The token is outside the token policy: ${violations
      .map((v) => `${v.rule} (${v.field}: ${v.message})`)
      .join('; ')}. Nothing was created.`,
    extensions: {
      rule: first.rule,
      field: first.field,
      limit: first.limit,
      violations,
      errors: violations.map((v) => ({ field: v.field, message: v.message })),
    },
  });
}

/**
 * When a stale token is revoked: N days after its last use, and never sooner than 14 days after
 * its owner was warned (a sweep that ran late must still give the full warning period).
 */
export function staleRevocationAt(lastActive: Date, warnedAt: Date, staleAfterDays: number): Date {
  return new Date(
    Math.max(
      lastActive.getTime() + staleAfterDays * DAY_MS,
      warnedAt.getTime() + STALE_WARNING_DAYS * DAY_MS,
    ),
  );
}

export const daysMs = (days: number) => days * DAY_MS;
