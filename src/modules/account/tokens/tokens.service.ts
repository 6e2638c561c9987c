import { hash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, IsNull, type Repository } from 'typeorm';
import { AuditService } from '../../../access/audit/audit.service.js';
import {
  digestSecret,
  generatePat,
  isWellFormedPat,
  PAT_LENGTH,
  patDisplayPrefix,
} from '../../../access/pat-format.js';
import type { PrincipalUser, RequestOrigin, TokenIdentity } from '../../../access/principal.js';
import type { Scope } from '../../../access/scopes.js';
import { Clock, type Page, pageByCreation, ProblemException } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { BackgroundWrites } from '../../../database/index.js';
import { toPrincipalUser } from '../users/users.service.js';
import { PersonalAccessTokenEntity } from './personal-access-token.entity.js';
import { DomainEvents } from '../../../events/index.js';
import { ACCOUNT_EVENT_TYPES } from '../account.events.js';
import { TokenScopeUsageEntity } from './token-scope-usage.entity.js';
import { TokenPolicyService } from './token-policy.service.js';
import { normaliseAllowedIps, type TokenResources } from '../../../access/token-constraints.js';

export const MAX_TOKEN_LIFETIME_MS = 366 * 24 * 3600 * 1000;
/** How long a verified token is trusted from memory before the database is asked again. */
const VERIFIED_CACHE_MS = 10_000;
const VERIFIED_CACHE_MAX = 10_000;
/** The PostgreSQL NOTIFY channel a revoke announces the token id on. */
export const TOKEN_REVOKED_CHANNEL = 'gpx_token_revoked';
/** lastUsedAt/lastUsedIp are written at most this often per token. */
const LAST_USED_INTERVAL_MS = 60_000;
/** How long a rotated token's old value keeps working unless the caller says otherwise. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 3600;
export const MAX_ROTATION_GRACE_SECONDS = 7 * 24 * 3600;
/** The least-privilege hints look back this far. */
export const SCOPE_USAGE_WINDOW_DAYS = 30;
/** (token, day, scope) rows this process already wrote, so each is written once, not per request. */
const USAGE_MEMORY_MAX = 50_000;

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  /** When this token replaced a rotated predecessor (null: never rotated). */
  rotatedAt: string | null;
  /** Until when the predecessor's value still works after a rotation (null: it no longer does). */
  previousValueValidUntil: string | null;
  /** The granted scopes the token relied on in the last 30 days (UTC days). */
  scopesUsedLast30Days: Scope[];
  /** CIDRs the token may be used from; null: any address. */
  allowedIps: string[] | null;
  /** The posts the token is pinned to; null: everything its owner has. */
  resources: { posts: string[] } | null;
  /** Set on a child token: the token that minted it. */
  parentId: string | null;
}

/** Constraints as a request states them: undefined leaves a field alone (or unconstrained). */
export interface ConstraintInput {
  allowedIps?: readonly string[] | null;
  resources?: { posts: readonly string[] } | null;
}

/**
 * Constraints as stored: the allowlist normalised (a 400 names entries that are not addresses or
 * CIDRs), pinned post ids deduplicated. Undefined fields stay undefined.
 */
export function constraintsForStorage(input: ConstraintInput): {
  allowedIps?: string[] | null;
  resources?: TokenResources | null;
} {
  const out: { allowedIps?: string[] | null; resources?: TokenResources | null } = {};
  if (input.allowedIps !== undefined) {
    if (input.allowedIps === null) out.allowedIps = null;
    else {
      const { cidrs, invalid } = normaliseAllowedIps(input.allowedIps);
      if (invalid.length)
        throw ProblemException.validation([
          {
            field: 'allowedIps',
            message: `not an IPv4/IPv6 address or CIDR: ${invalid.join(', ')}`,
          },
        ]);
      out.allowedIps = cidrs;
    }
  }
  if (input.resources !== undefined)
    out.resources =
      input.resources === null
        ? null
        : { posts: [...new Set(input.resources.posts.map((id) => id.toLowerCase()))] };
  return out;
}

export interface AdminTokenView extends Omit<
  TokenView,
  'scopesUsedLast30Days' | 'allowedIps' | 'resources' | 'parentId'
> {
  userId: string;
  revokedAt: string | null;
}

/** What a revoke hands to `alsoInTransaction`. */
export interface RevokedToken {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  revokedAt: Date;
}

export interface VerifiedToken {
  user: PrincipalUser;
  token: TokenIdentity;
}

function toTokenView(
  t: PersonalAccessTokenEntity,
  now = Date.now(),
): Omit<TokenView, 'scopesUsedLast30Days'> {
  const previous = t.previousValidUntil && t.previousValidUntil.getTime() > now;
  return {
    id: t.id,
    name: t.name,
    prefix: t.tokenPrefix,
    scopes: t.scopes,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    lastUsedIp: t.lastUsedIp,
    rotatedAt: t.rotatedAt?.toISOString() ?? null,
    previousValueValidUntil: previous ? t.previousValidUntil!.toISOString() : null,
    allowedIps: t.allowedIps,
    resources: t.resources ? { posts: [...t.resources.posts] } : null,
    parentId: t.parentId,
  };
}

const DAY_MS = 24 * 3600 * 1000;

/** A UTC calendar day as `YYYY-MM-DD`. */
function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

@Injectable()
export class TokensService {
  private readonly logger = new Logger('Tokens');
  /**
   * memoryKey(token) → verified token, for a few seconds. A revoke evicts at once in this process
   * and, via TokenRevocationListener, in every other instance on the same PostgreSQL database.
   */
  private readonly verified = new Map<
    string,
    { value: VerifiedToken; until: number; graceUntil: number | null }
  >();
  /** The key of memoryKey(), drawn at boot and never stored. */
  private readonly memoryKeySalt = randomBytes(32).toString('base64');
  /**
   * Counts evictions. A verification that read the database before an eviction must not cache
   * its (possibly revoked) result after it, or the revoke would be undone for the cache lifetime.
   */
  private evictions = 0;
  /** token id → when lastUsed was last written. */
  private readonly lastUseWrites = new Map<string, number>();
  /** `tokenId day scope` keys of scope-usage rows already written by this process. */
  private readonly usageWritten = new Set<string>();
  /** The current UTC day (noteScopeUse asks on every token request) and when it ends. */
  private today = { day: '', endsAt: 0 };

  constructor(
    @InjectRepository(PersonalAccessTokenEntity)
    private readonly tokens: Repository<PersonalAccessTokenEntity>,
    @InjectRepository(TokenScopeUsageEntity)
    private readonly usage: Repository<TokenScopeUsageEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly background: BackgroundWrites,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
    private readonly policy: TokenPolicyService,
  ) {}

  /** Expiry, rotation grace and usage days read the injectable clock, so tests move time. */
  private nowMs(): number {
    return this.clock.now().getTime();
  }

  async create(
    userId: string,
    input: {
      name: string;
      scopes: Scope[];
      expiresAt?: Date;
      allowedIps?: string[] | null;
      resources?: TokenResources | null;
      /** A child token's parent (token-children.service.ts); its checks are done by then. */
      parentId?: string;
    },
    origin: RequestOrigin,
  ): Promise<{ token: string; meta: TokenView }> {
    // Before the transaction: a refused token writes nothing (and PGlite has one connection).
    await this.policy.assertOwnersTokenWithinPolicy(userId, {
      scopes: [...new Set(input.scopes)].sort(),
      expiresAt: input.expiresAt ?? null,
    });
    return this.tokens.manager.transaction((tx) => this.createIn(tx, userId, input, origin));
  }

  /**
   * Creation inside the caller's transaction (a child token locks its parent first). The token
   * policy is not checked here: `create` checks it before its transaction, and a child token is
   * a strict subset of a parent that passed it, living at most a day (token-children.service.ts).
   */
  async createIn(
    tx: EntityManager,
    userId: string,
    input: Parameters<TokensService['create']>[1],
    origin: RequestOrigin,
  ): Promise<{ token: string; meta: TokenView }> {
    const raw = generatePat();
    const scopes = [...new Set(input.scopes)].sort();
    const entity = await tx.save(
      tx.create(PersonalAccessTokenEntity, {
        userId,
        name: input.name.trim(),
        tokenHash: digestSecret(this.config.tokenPepper, raw),
        tokenPrefix: patDisplayPrefix(raw),
        scopes,
        expiresAt: input.expiresAt ?? null,
        allowedIps: input.allowedIps ?? null,
        resources: input.resources ?? null,
        parentId: input.parentId ?? null,
      }),
    );
    await this.audit.record(
      {
        action: 'token.created',
        actorUserId: userId,
        // A child is made by its parent: the audit row names the token that acted.
        actorTokenId: input.parentId ?? entity.id,
        origin,
        details: {
          tokenId: entity.id,
          prefix: entity.tokenPrefix,
          scopes,
          expiresAt: entity.expiresAt?.toISOString() ?? null,
          // Only when set, so an unconstrained token's row reads as it always did.
          ...(entity.allowedIps ? { allowedIps: entity.allowedIps } : {}),
          ...(entity.resources ? { resources: entity.resources } : {}),
          ...(entity.parentId ? { parentId: entity.parentId } : {}),
        },
      },
      tx,
    );
    await this.events.record(
      tx,
      ACCOUNT_EVENT_TYPES.tokenCreated,
      {
        tokenId: entity.id,
        name: entity.name,
        prefix: entity.tokenPrefix,
        scopes,
        expiresAt: entity.expiresAt?.toISOString() ?? null,
      },
      { recipients: [userId] },
    );
    return { token: raw, meta: { ...toTokenView(entity), scopesUsedLast30Days: [] } };
  }

  /** The user's live tokens; a rotated-out value still in its grace shows on its successor. */
  async listForUser(userId: string): Promise<TokenView[]> {
    const rows = await this.tokens.find({
      where: { userId, revokedAt: IsNull(), replacedById: IsNull() },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    return this.withUsage(rows);
  }

  /** One of the user's live tokens (a rotated-out one included), or null. */
  async findOwn(userId: string, tokenId: string): Promise<TokenView | null> {
    const row = await this.tokens.findOne({
      where: { id: tokenId, userId, revokedAt: IsNull() },
    });
    return row ? ((await this.withUsage([row]))[0] ?? null) : null;
  }

  /** Views of these rows, with the scopes each used in the last 30 days. */
  async withUsage(rows: PersonalAccessTokenEntity[]): Promise<TokenView[]> {
    if (rows.length === 0) return [];
    const since = utcDay(this.nowMs() - (SCOPE_USAGE_WINDOW_DAYS - 1) * 24 * 3600 * 1000);
    const used = await this.usage
      .createQueryBuilder('u')
      .select(['u.tokenId', 'u.scope'])
      .distinct(true)
      .where({ tokenId: In(rows.map((r) => r.id)) })
      .andWhere('u.day >= :since', { since })
      .getMany();
    const byToken = new Map<string, Set<Scope>>();
    for (const u of used) {
      const set = byToken.get(u.tokenId) ?? new Set<Scope>();
      set.add(u.scope);
      byToken.set(u.tokenId, set);
    }
    const now = this.nowMs();
    return rows.map((row) => ({
      ...toTokenView(row, now),
      // Only scopes the token still holds: a narrowed-away scope is no longer a hint.
      scopesUsedLast30Days: row.scopes.filter((scope) => byToken.get(row.id)?.has(scope)),
    }));
  }

  /**
   * Rotation: a new raw value for the same grant (name, scopes, expiry, owner), in one
   * transaction with the old row's grace deadline. Until then both values work; after it the old
   * one is refused as invalid_token and its use audited as token.reuse_after_rotation. Every
   * instance drops its cached verification of the old token through the same NOTIFY a revoke
   * uses, so the deadline holds everywhere. A token already rotated is a 409: rotate its successor.
   */
  async rotate(
    which: { userId: string; tokenId: string },
    graceSeconds: number,
    origin: RequestOrigin,
    by: 'owner' | 'self',
  ): Promise<{ token: string; meta: TokenView }> {
    const raw = generatePat();
    const result = await this.tokens.manager.transaction(async (tx) => {
      const old = await tx
        .createQueryBuilder(PersonalAccessTokenEntity, 't')
        .setLock('pessimistic_write')
        .where('t.id = :id AND t.user_id = :userId AND t.revoked_at IS NULL', {
          id: which.tokenId,
          userId: which.userId,
        })
        .getOne();
      if (!old || (old.expiresAt && old.expiresAt.getTime() <= this.nowMs()))
        throw ProblemException.notFound('No such token.');
      if (old.replacedById)
        throw ProblemException.conflict(
          'This token was already rotated; rotate the token that replaced it.',
        );
      const now = this.clock.now();
      // The successor keeps the grant's expiry, so rotating never lengthens a lifetime; but it is
      // a new token, so a grant the policy no longer allows (e.g. no expiry under a maximum
      // lifetime) is refused: make a new token within the policy instead. Nothing is written.
      await this.policy.assertOwnersTokenWithinPolicy(
        old.userId,
        { scopes: old.scopes, expiresAt: old.expiresAt },
        { manager: tx, now },
      );
      const graceUntil = new Date(now.getTime() + graceSeconds * 1000);
      const successor = await tx.save(
        tx.create(PersonalAccessTokenEntity, {
          userId: old.userId,
          name: old.name,
          tokenHash: digestSecret(this.config.tokenPepper, raw),
          tokenPrefix: patDisplayPrefix(raw),
          scopes: old.scopes,
          expiresAt: old.expiresAt,
          rotatedAt: now,
          previousValidUntil: graceUntil,
          // Last use carries over: it is the same grant, in the same hands.
          lastUsedAt: old.lastUsedAt,
          lastUsedIp: old.lastUsedIp,
          // So do its constraints, and a child stays its parent's child.
          allowedIps: old.allowedIps,
          resources: old.resources,
          parentId: old.parentId,
        }),
      );
      await tx.update(
        PersonalAccessTokenEntity,
        { id: old.id },
        { replacedById: successor.id, graceUntil },
      );
      // The usage history belongs to the grant, not to one value of it.
      await tx.query(
        `INSERT INTO token_scope_usage (token_id, day, scope)
           SELECT $1, day, scope FROM token_scope_usage WHERE token_id = $2
         ON CONFLICT DO NOTHING`,
        [successor.id, old.id],
      );
      await this.notifyChanged(tx, old.id);
      // Children were minted from the old value, which is on its way out: they end now.
      const children = await this.revokeChildren(
        tx,
        [old.id],
        which.userId,
        origin,
        'parent_rotated',
      );
      await this.audit.record(
        {
          action: 'token.rotated',
          actorUserId: which.userId,
          actorTokenId: by === 'self' ? old.id : null,
          origin,
          details: {
            tokenId: old.id,
            prefix: old.tokenPrefix,
            newTokenId: successor.id,
            newPrefix: successor.tokenPrefix,
            graceUntil: graceUntil.toISOString(),
            by,
          },
        },
        tx,
      );
      return { successor, children };
    });
    this.evictVerified(which.tokenId);
    for (const id of result.children) this.evictVerified(id);
    const [meta] = await this.withUsage([result.successor]);
    return { token: raw, meta };
  }

  /**
   * Edits a token in place (its value stays): narrows its scopes, and sets or clears its
   * constraints (allowedIps, resources). Widening scopes is refused: a wider grant is a new token,
   * made with the person's eyes on the scope picker. Constraints may change either way here, as
   * this is the owner in Settings → API. Any change ends the token's children, which were minted
   * as subsets of the old grant.
   */
  async edit(
    userId: string,
    tokenId: string,
    changes: { scopes?: Scope[] } & ConstraintInput,
    origin: RequestOrigin,
  ): Promise<TokenView> {
    const wanted = changes.scopes ? [...new Set(changes.scopes)].sort() : undefined;
    const constraints = constraintsForStorage(changes);
    const { row: updated, children } = await this.tokens.manager.transaction(async (tx) => {
      const row = await tx
        .createQueryBuilder(PersonalAccessTokenEntity, 't')
        .setLock('pessimistic_write')
        .where('t.id = :id AND t.user_id = :userId AND t.revoked_at IS NULL', {
          id: tokenId,
          userId,
        })
        .andWhere('t.replaced_by_id IS NULL')
        .getOne();
      if (!row) throw ProblemException.notFound('No such token.');
      const wider = (wanted ?? []).filter((scope) => !row.scopes.includes(scope));
      if (wider.length)
        throw ProblemException.validation(
          [
            {
              field: 'scopes',
              message: `can only narrow the token's scopes; not granted now: ${wider.join(', ')}`,
            },
          ],
          'A token cannot be widened; create a new token for more scopes.',
        );
      const before = {
        scopes: row.scopes,
        allowedIps: row.allowedIps,
        resources: row.resources,
      };
      const set: Partial<PersonalAccessTokenEntity> = { ...constraints };
      if (wanted) set.scopes = wanted;
      Object.assign(row, set);
      await tx.update(PersonalAccessTokenEntity, { id: row.id }, set);
      await this.notifyChanged(tx, row.id);
      const children = await this.revokeChildren(tx, [row.id], userId, origin, 'parent_edited');
      if (wanted)
        await this.audit.record(
          {
            action: 'token.scopes_narrowed',
            actorUserId: userId,
            origin,
            details: { tokenId: row.id, prefix: row.tokenPrefix, from: before.scopes, to: wanted },
          },
          tx,
        );
      if (constraints.allowedIps !== undefined || constraints.resources !== undefined)
        await this.audit.record(
          {
            action: 'token.constraints_changed',
            actorUserId: userId,
            origin,
            details: {
              tokenId: row.id,
              prefix: row.tokenPrefix,
              from: { allowedIps: before.allowedIps, resources: before.resources },
              to: { allowedIps: row.allowedIps, resources: row.resources },
            },
          },
          tx,
        );
      return { row, children };
    });
    this.evictVerified(tokenId);
    for (const id of children) this.evictVerified(id);
    const [view] = await this.withUsage([updated]);
    return view;
  }

  /**
   * Revokes the live children of these tokens in the caller's transaction, announcing each on
   * the revocation channel (so every instance drops them at once) and auditing each. Returns
   * their ids for the local cache eviction after commit.
   */
  async revokeChildren(
    tx: EntityManager,
    parentIds: string[],
    actorUserId: string | null,
    origin: RequestOrigin | undefined,
    by: 'parent_revoked' | 'parent_rotated' | 'parent_edited',
  ): Promise<string[]> {
    if (parentIds.length === 0) return [];
    const result = await tx
      .createQueryBuilder()
      .update(PersonalAccessTokenEntity)
      .set({ revokedAt: () => 'now()' })
      .where('parent_id = ANY(:parentIds) AND revoked_at IS NULL', { parentIds })
      .returning(['id', 'userId', 'tokenPrefix', 'name', 'parentId'])
      .execute();
    const rows = result.raw as {
      id: string;
      user_id: string;
      token_prefix: string;
      name: string;
      parent_id: string;
    }[];
    for (const row of rows) {
      await this.notifyChanged(tx, row.id);
      await this.audit.record(
        {
          action: 'token.revoked',
          actorUserId,
          actorTokenId: row.id,
          origin,
          details: {
            tokenId: row.id,
            prefix: row.token_prefix,
            ownerUserId: row.user_id,
            parentId: row.parent_id,
            by,
          },
        },
        tx,
      );
      await this.events.record(
        tx,
        ACCOUNT_EVENT_TYPES.tokenRevoked,
        { tokenId: row.id, name: row.name, prefix: row.token_prefix, by },
        { recipients: [row.user_id] },
      );
    }
    return rows.map((row) => row.id);
  }

  /** Tells every instance to stop trusting its cached verification of this token. */
  private async notifyChanged(tx: EntityManager, tokenId: string): Promise<void> {
    await tx.query('SELECT pg_notify($1, $2)', [TOKEN_REVOKED_CHANNEL, tokenId]);
  }

  /** Revokes the user's own token; someone else's is indistinguishable from a missing one (404). */
  async revokeOwn(userId: string, tokenId: string, origin: RequestOrigin): Promise<void> {
    await this.revoke({ id: tokenId, userId }, userId, origin, 'owner');
  }

  async revokeAsAdmin(adminUserId: string, tokenId: string, origin: RequestOrigin): Promise<void> {
    await this.revoke({ id: tokenId }, adminUserId, origin, 'admin');
  }

  /**
   * Stale clean-up: revokes the token through the normal revoke path (NOTIFY, audit,
   * token.revoked with by "stale") if, at this moment, it is still unused since `unusedSince`
   * and was warned by `warnedBy`. False when it was not (used again, revoked, or another
   * instance's sweep got there first).
   */
  async revokeStale(tokenId: string, stillStale: { unusedSince: Date; warnedBy: Date }) {
    return (await this.revoke({ id: tokenId, stillStale }, null, undefined, 'stale')) > 0;
  }

  /**
   * Revokes a token someone reported as leaked (POST /api/tokens/revocations), through the same
   * path as any revoke (NOTIFY to every instance, audit, token.revoked); `alsoInTransaction`
   * records what the report adds in the same transaction. False when it was no longer live
   * (revoked meanwhile, e.g. by a concurrent report of the same token).
   */
  async revokeReportedLeak(
    tokenId: string,
    origin: RequestOrigin,
    alsoInTransaction: (tx: EntityManager, revoked: RevokedToken) => Promise<void>,
  ): Promise<boolean> {
    try {
      await this.revoke({ id: tokenId }, null, origin, 'leak_report', alsoInTransaction);
      return true;
    } catch (err) {
      if (err instanceof ProblemException && err.code === 'not_found') return false;
      throw err;
    }
  }

  async listAll(page: {
    limit?: number;
    cursor?: string;
    userId?: string;
  }): Promise<Page<AdminTokenView>> {
    const qb = this.tokens.createQueryBuilder('t');
    if (page.userId) qb.andWhere('t.user_id = :userId', { userId: page.userId });
    return pageByCreation(qb, page, (t) => ({
      ...toTokenView(t),
      userId: t.userId,
      revokedAt: t.revokedAt?.toISOString() ?? null,
    }));
  }

  /**
   * Verifies a presented bearer token: a recent verification from memory first, else shape and
   * checksum (no I/O for garbage), then the HMAC digest against the database. Null for anything
   * not usable: malformed, unknown, expired or revoked.
   */
  async verify(raw: string): Promise<VerifiedToken | null> {
    const fromMemory = this.verifyFromMemory(raw);
    if (fromMemory !== undefined) return fromMemory;
    if (!isWellFormedPat(raw)) return null;
    const memoryKey = this.memoryKey(raw);
    const now = this.nowMs();
    const evictionsBefore = this.evictions;
    const row = await this.tokens
      .createQueryBuilder('t')
      .innerJoinAndSelect('t.user', 'u')
      .where('t.token_hash = :digest', { digest: digestSecret(this.config.tokenPepper, raw) })
      .andWhere('t.revoked_at IS NULL')
      .getOne();
    if (!row?.user) return null;
    const graceUntil = row.graceUntil?.getTime() ?? null;
    if (graceUntil !== null && graceUntil <= now) {
      this.auditReuseAfterRotation(row);
      return null;
    }
    const value: VerifiedToken = {
      user: toPrincipalUser(row.user),
      token: {
        id: row.id,
        name: row.name,
        prefix: row.tokenPrefix,
        scopes: row.scopes,
        createdAt: row.createdAt,
        expiresAt: row.expiresAt,
        allowedIps: row.allowedIps,
        resources: row.resources,
        parentId: row.parentId,
      },
    };
    if (!this.stillValid(value, now)) return null;
    if (this.evictions !== evictionsBefore) return value; // answer this request; cache nothing
    if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.clear();
    this.verified.set(memoryKey, { value, until: now + VERIFIED_CACHE_MS, graceUntil });
    return value;
  }

  /**
   * The answer verify() would give, when a verification from the last few seconds holds it:
   * synchronous, so a token request that hits it never waits on a promise. Undefined when the
   * database must be asked (never seen, cached too long ago, or a rotated-out value whose grace
   * has just ended, which the database read then audits).
   */
  verifyFromMemory(raw: string): VerifiedToken | null | undefined {
    if (raw.length !== PAT_LENGTH || this.verified.size === 0) return undefined;
    const memoryKey = this.memoryKey(raw);
    const cached = this.verified.get(memoryKey);
    if (!cached) return undefined;
    const now = this.nowMs();
    if (cached.until <= now || (cached.graceUntil !== null && cached.graceUntil <= now)) {
      this.verified.delete(memoryKey);
      return undefined;
    }
    return this.stillValid(cached.value, now) ? cached.value : null;
  }

  /**
   * What the in-memory verifications are keyed by: SHA-256 of the token under a key drawn at
   * boot, so the raw secret is not kept, and the key is not the stored digest (a heap dump does
   * not yield the database's lookup values). One-shot `crypto.hash` costs a fraction of the
   * pepper's HMAC, which only a database lookup needs; SHA-256 leaves no collision to forge.
   */
  private memoryKey(raw: string): string {
    return hash('sha256', this.memoryKeySalt + raw, 'base64');
  }

  /**
   * A rotated-out value presented after its grace: someone still holds the old secret (a
   * forgotten script, or a leak). Refused as invalid_token like any dead token, and audited so
   * the owner can find out which.
   */
  private auditReuseAfterRotation(row: PersonalAccessTokenEntity): void {
    this.audit.recordInBackground({
      action: 'token.reuse_after_rotation',
      actorUserId: row.userId,
      actorTokenId: row.id,
      details: {
        tokenId: row.id,
        prefix: row.tokenPrefix,
        replacedBy: row.replacedById,
        graceEndedAt: row.graceUntil?.toISOString() ?? null,
      },
    });
  }

  /**
   * Records use off the request's critical path (a background write, awaited at shutdown), at
   * most once a minute per token.
   */
  noteUse(tokenId: string, ip: string | null, scopesUsed: readonly Scope[] = []): void {
    const now = this.nowMs();
    this.noteScopeUse(tokenId, scopesUsed, now);
    const last = this.lastUseWrites.get(tokenId);
    if (last !== undefined && now - last < LAST_USED_INTERVAL_MS) return;
    this.lastUseWrites.set(tokenId, now);
    this.background.run(
      // Use also clears a stale-token warning: the token is no longer unused.
      () =>
        this.tokens.update(
          { id: tokenId },
          { lastUsedAt: new Date(now), lastUsedIp: ip, staleWarnedAt: null },
        ),
      (err) => this.logger.warn({ err, tokenId }, 'could not record token use'),
    );
  }

  /**
   * One row per token, UTC day and scope, written in the background the first time this process
   * sees it (another instance writing the same row is a no-op): the hot path only checks a Set.
   */
  private noteScopeUse(tokenId: string, scopes: readonly Scope[], now: number): void {
    if (scopes.length === 0) return;
    if (now >= this.today.endsAt || now < this.today.endsAt - DAY_MS) {
      this.today = { day: utcDay(now), endsAt: (Math.floor(now / DAY_MS) + 1) * DAY_MS };
    }
    const day = this.today.day;
    const fresh = scopes.filter((scope) => !this.usageWritten.has(`${tokenId} ${day} ${scope}`));
    if (fresh.length === 0) return;
    if (this.usageWritten.size + fresh.length > USAGE_MEMORY_MAX) this.usageWritten.clear();
    for (const scope of fresh) this.usageWritten.add(`${tokenId} ${day} ${scope}`);
    this.background.run(
      () =>
        this.usage
          .createQueryBuilder()
          .insert()
          .values(fresh.map((scope) => ({ tokenId, day, scope })))
          .orIgnore()
          .execute(),
      (err) => {
        for (const scope of fresh) this.usageWritten.delete(`${tokenId} ${day} ${scope}`);
        this.logger.warn({ err, tokenId }, 'could not record scope use');
      },
    );
  }

  private stillValid(value: VerifiedToken, now: number): boolean {
    return value.token.expiresAt === null || value.token.expiresAt.getTime() > now;
  }

  /**
   * One conditional UPDATE both checks and revokes: of concurrent revokes of a token exactly one
   * changes the row, and only that one notifies and audits; the others find nothing to revoke.
   */
  private async revoke(
    which: { id: string; userId?: string; stillStale?: { unusedSince: Date; warnedBy: Date } },
    actorUserId: string | null,
    origin: RequestOrigin | undefined,
    by: 'owner' | 'admin' | 'stale' | 'leak_report',
    alsoInTransaction?: (tx: EntityManager, revoked: RevokedToken) => Promise<void>,
  ) {
    const token = await this.tokens.manager.transaction(async (tx) => {
      const query = tx
        .createQueryBuilder()
        .update(PersonalAccessTokenEntity)
        .set({ revokedAt: () => 'now()' })
        .where('id = :id AND revoked_at IS NULL', { id: which.id });
      if (which.userId) query.andWhere('user_id = :userId', { userId: which.userId });
      // Checked in the same statement that revokes, so a use (or another sweep) in between wins.
      if (which.stillStale)
        query.andWhere(
          'COALESCE(last_used_at, created_at) <= :unusedSince AND stale_warned_at <= :warnedBy',
          {
            unusedSince: which.stillStale.unusedSince.toISOString(),
            warnedBy: which.stillStale.warnedBy.toISOString(),
          },
        );
      const result = await query
        .returning(['id', 'userId', 'tokenPrefix', 'name', 'revokedAt'])
        .execute();
      const [row] = result.raw as {
        id: string;
        user_id: string;
        token_prefix: string;
        name: string;
        revoked_at: Date;
      }[];
      if (!row) {
        if (which.stillStale) return [];
        throw ProblemException.notFound('No such token.');
      }
      // Revoking a token also ends the grace of the value it replaced: revoking is "stop this
      // grant now", and the old value is the same grant.
      const predecessors = await tx
        .createQueryBuilder()
        .update(PersonalAccessTokenEntity)
        .set({ revokedAt: () => 'now()' })
        .where('replaced_by_id = :id AND revoked_at IS NULL', { id: row.id })
        .returning(['id'])
        .execute();
      const revokedIds = [row.id, ...(predecessors.raw as { id: string }[]).map((p) => p.id)];
      // Delivered to every listening instance when (and only if) the revoke commits.
      for (const id of revokedIds) await this.notifyChanged(tx, id);
      // A parent's children end with it (they notify on their own).
      const children = await this.revokeChildren(
        tx,
        revokedIds,
        actorUserId,
        origin,
        'parent_revoked',
      );
      await this.audit.record(
        {
          action: 'token.revoked',
          actorUserId,
          actorTokenId: row.id,
          origin,
          details: { tokenId: row.id, prefix: row.token_prefix, ownerUserId: row.user_id, by },
        },
        tx,
      );
      await this.events.record(
        tx,
        ACCOUNT_EVENT_TYPES.tokenRevoked,
        { tokenId: row.id, name: row.name, prefix: row.token_prefix, by },
        { recipients: [row.user_id] },
      );
      await alsoInTransaction?.(tx, {
        id: row.id,
        userId: row.user_id,
        name: row.name,
        prefix: row.token_prefix,
        revokedAt: new Date(row.revoked_at),
      });
      return [...revokedIds, ...children];
    });
    for (const id of token) this.evictVerified(id);
    return token.length;
  }

  /** Stops trusting a cached verification of this token (it was revoked, here or elsewhere). */
  evictVerified(tokenId: string): void {
    this.evictions++;
    for (const [digest, entry] of this.verified)
      if (entry.value.token.id === tokenId) this.verified.delete(digest);
  }

  /** Stops trusting every cached verification (revocation notices may have been missed). */
  forgetVerified(): void {
    this.evictions++;
    this.verified.clear();
  }
}
