import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { AuditService } from '../../../access/audit/audit.service.js';
import type { RequestOrigin } from '../../../access/principal.js';
import type { Scope } from '../../../access/scopes.js';
import { Clock, type Page, pageByCreation, ProblemException } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { PersonalAccessTokenEntity } from './personal-access-token.entity.js';
import {
  evaluateTokenPolicy,
  STALE_WARNING_DAYS,
  type TokenPolicy,
  type TokenPolicyRule,
  tokenPolicyProblem,
  type TokenPolicyViolation,
} from './token-policy.js';
import { TokenPolicyEntity } from './token-policy.entity.js';

type PolicyField = keyof TokenPolicy;
const POLICY_FIELDS: PolicyField[] = [
  'maxLifetimeDays',
  'expiryRequired',
  'adminOnlyScopes',
  'staleAfterDays',
];

/** What an admin may override; null or absent: follow the configuration. */
export interface TokenPolicyOverride {
  /** 0: no maximum. */
  maxLifetimeDays?: number | null;
  expiryRequired?: boolean | null;
  adminOnlyScopes?: Scope[] | null;
  /** 0: stale clean-up off. */
  staleAfterDays?: number | null;
}

export interface TokenPolicyView {
  /** The policy in force. */
  effective: TokenPolicy & { staleWarningDays: number };
  /** Where each effective value comes from. */
  source: Record<PolicyField, 'config' | 'override'>;
  /** The TOKEN_* defaults. */
  config: TokenPolicy;
  /** The admin's override as stored (null fields follow the configuration). */
  override: Required<{ [K in PolicyField]: TokenPolicy[K] | null }>;
  updatedAt: string | null;
  updatedByUserId: string | null;
}

export interface PolicyViolatorView {
  id: string;
  name: string;
  prefix: string;
  owner: { id: string; email: string; isAdmin: boolean };
  scopes: Scope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  /** The rules this token breaks, each once. */
  violates: TokenPolicyRule[];
  violations: TokenPolicyViolation[];
}

/**
 * The admin token policy: TOKEN_* configuration, overridden field by field from the one-row
 * token_policy table. Read from the database on each use (token creation is not hot), so every
 * instance applies an admin's change at once without a cache to invalidate.
 */
@Injectable()
export class TokenPolicyService {
  constructor(
    @InjectRepository(TokenPolicyEntity)
    private readonly overrides: Repository<TokenPolicyEntity>,
    @InjectRepository(PersonalAccessTokenEntity)
    private readonly tokens: Repository<PersonalAccessTokenEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  private configured(): TokenPolicy {
    const c = this.config.tokenPolicy;
    return {
      maxLifetimeDays: c.maxLifetimeDays,
      expiryRequired: c.expiryRequired,
      adminOnlyScopes: [...c.adminOnlyScopes],
      staleAfterDays: c.staleAfterDays,
    };
  }

  /** The policy in force. Pass the caller's transaction manager when inside one. */
  async current(manager?: EntityManager): Promise<TokenPolicy> {
    return (await this.describe(manager)).effective;
  }

  async describe(manager?: EntityManager): Promise<TokenPolicyView> {
    const row = await (manager ?? this.overrides.manager).findOne(TokenPolicyEntity, {
      where: { id: 1 },
    });
    const config = this.configured();
    const override = {
      maxLifetimeDays: row?.maxLifetimeDays ?? null,
      expiryRequired: row?.expiryRequired ?? null,
      adminOnlyScopes: row?.adminOnlyScopes ?? null,
      staleAfterDays: row?.staleAfterDays ?? null,
    };
    const source = Object.fromEntries(
      POLICY_FIELDS.map((f) => [f, override[f] === null ? 'config' : 'override']),
    ) as TokenPolicyView['source'];
    const effective: TokenPolicy = {
      // Stored 0 is "no maximum", overriding a configured one.
      maxLifetimeDays:
        override.maxLifetimeDays === null
          ? config.maxLifetimeDays
          : override.maxLifetimeDays || null,
      expiryRequired: override.expiryRequired ?? config.expiryRequired,
      adminOnlyScopes: [...(override.adminOnlyScopes ?? config.adminOnlyScopes)].sort(),
      staleAfterDays: override.staleAfterDays ?? config.staleAfterDays,
    };
    return {
      effective: { ...effective, staleWarningDays: STALE_WARNING_DAYS },
      source,
      config,
      override,
      updatedAt: row?.updatedAt.toISOString() ?? null,
      updatedByUserId: row?.updatedById ?? null,
    };
  }

  /**
   * Refuses (400 token_policy_violation, naming every broken rule) a token about to be made:
   * by an owner in Settings → API, by rotation, or as a child token. Call it before writing
   * anything; inside a transaction, pass its manager (the embedded database has one connection).
   */
  async assertTokenWithinPolicy(
    grant: { scopes: readonly Scope[]; expiresAt: Date | null },
    owner: { isAdmin: boolean },
    options: { manager?: EntityManager; now?: Date } = {},
  ): Promise<void> {
    const policy = await this.current(options.manager);
    const violations = evaluateTokenPolicy(policy, {
      scopes: grant.scopes,
      expiresAt: grant.expiresAt,
      from: options.now ?? this.clock.now(),
      ownerIsAdmin: owner.isAdmin,
    });
    if (violations.length) throw tokenPolicyProblem(violations);
  }

  /** The same check for a user's token, reading whether the user is an admin. */
  async assertOwnersTokenWithinPolicy(
    ownerUserId: string,
    grant: { scopes: readonly Scope[]; expiresAt: Date | null },
    options: { manager?: EntityManager; now?: Date } = {},
  ): Promise<void> {
    const [owner] = await (options.manager ?? this.tokens.manager).query<{ is_admin: boolean }[]>(
      'SELECT is_admin FROM users WHERE id = $1',
      [ownerUserId],
    );
    await this.assertTokenWithinPolicy(grant, { isAdmin: owner?.is_admin === true }, options);
  }

  /**
   * Replaces the admin override (absent or null fields follow the configuration again), audited
   * in the same transaction. Existing tokens are not touched: the inventory reports violators.
   */
  async update(
    adminUserId: string,
    input: TokenPolicyOverride,
    origin: RequestOrigin,
  ): Promise<TokenPolicyView> {
    const stale = input.staleAfterDays;
    if (stale !== undefined && stale !== null && stale !== 0 && stale < 30)
      throw ProblemException.validation([
        {
          field: 'staleAfterDays',
          message: 'must be 0 (off) or at least 30: the warning comes 14 days before revocation',
        },
      ]);
    const before = await this.describe();
    await this.overrides.manager.transaction(async (tx) => {
      const next = {
        maxLifetimeDays: input.maxLifetimeDays ?? null,
        expiryRequired: input.expiryRequired ?? null,
        adminOnlyScopes:
          input.adminOnlyScopes === undefined || input.adminOnlyScopes === null
            ? null
            : [...new Set(input.adminOnlyScopes)].sort(),
        staleAfterDays: input.staleAfterDays ?? null,
      };
      await tx.upsert(
        TokenPolicyEntity,
        { id: 1, ...next, updatedAt: this.clock.now(), updatedById: adminUserId },
        ['id'],
      );
      await this.audit.record(
        {
          action: 'token_policy.updated',
          actorUserId: adminUserId,
          origin,
          details: { from: before.override, to: next },
        },
        tx,
      );
    });
    return this.describe();
  }

  /**
   * GET /api/admin/tokens?violates=policy: live tokens the current policy would not allow to be
   * made (measured from their creation), newest first, with the rules each breaks. The SQL
   * narrows the page to violators; the pure evaluation names the rules, so both agree on what
   * the policy means.
   */
  async listViolators(page: {
    limit?: number;
    cursor?: string;
    userId?: string;
  }): Promise<Page<PolicyViolatorView>> {
    const policy = await this.current();
    const now = this.clock.now();
    const qb = this.tokens
      .createQueryBuilder('t')
      .innerJoinAndSelect('t.user', 'u')
      .where('t.revoked_at IS NULL AND t.replaced_by_id IS NULL')
      .andWhere('(t.expires_at IS NULL OR t.expires_at > :now)', { now: now.toISOString() });
    if (page.userId) qb.andWhere('t.user_id = :userId', { userId: page.userId });
    const breaks: string[] = [];
    if (policy.expiryRequired) breaks.push('t.expires_at IS NULL');
    if (policy.maxLifetimeDays !== null)
      breaks.push(
        "(t.expires_at IS NULL OR t.expires_at > t.created_at + CAST(:maxDays AS integer) * interval '24 hours')",
      );
    if (policy.adminOnlyScopes.length)
      breaks.push('(t.scopes && CAST(:adminOnly AS text[]) AND NOT u.is_admin)');
    qb.andWhere(breaks.length ? `(${breaks.join(' OR ')})` : 'FALSE', {
      maxDays: policy.maxLifetimeDays,
      adminOnly: policy.adminOnlyScopes,
    });
    return pageByCreation(qb, page, (t) => {
      const violations = evaluateTokenPolicy(policy, {
        scopes: t.scopes,
        expiresAt: t.expiresAt,
        from: t.createdAt,
        ownerIsAdmin: t.user!.isAdmin,
      });
      return {
        id: t.id,
        name: t.name,
        prefix: t.tokenPrefix,
        owner: { id: t.userId, email: t.user!.email, isAdmin: t.user!.isAdmin },
        scopes: t.scopes,
        createdAt: t.createdAt.toISOString(),
        expiresAt: t.expiresAt?.toISOString() ?? null,
        lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
        violates: [...new Set(violations.map((v) => v.rule))],
        violations,
      };
    });
  }
}
