import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { AuditService } from '../../../access/audit/audit.service.js';
import {
  digestSecret,
  generatePat,
  isWellFormedPat,
  patDisplayPrefix,
} from '../../../access/pat-format.js';
import type { PrincipalUser, RequestOrigin, TokenIdentity } from '../../../access/principal.js';
import type { Scope } from '../../../access/scopes.js';
import { type Page, pageByCreation, ProblemException } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { BackgroundWrites } from '../../../database/index.js';
import { toPrincipalUser } from '../users/users.service.js';
import { PersonalAccessTokenEntity } from './personal-access-token.entity.js';
import { DomainEvents } from '../../../events/index.js';
import { ACCOUNT_EVENT_TYPES } from '../account.events.js';

export const MAX_TOKEN_LIFETIME_MS = 366 * 24 * 3600 * 1000;
/** How long a verified token is trusted from memory before the database is asked again. */
const VERIFIED_CACHE_MS = 10_000;
const VERIFIED_CACHE_MAX = 10_000;
/** The PostgreSQL NOTIFY channel a revoke announces the token id on. */
export const TOKEN_REVOKED_CHANNEL = 'gpx_token_revoked';
/** lastUsedAt/lastUsedIp are written at most this often per token. */
const LAST_USED_INTERVAL_MS = 60_000;

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
}

export interface AdminTokenView extends TokenView {
  userId: string;
  revokedAt: string | null;
}

export interface VerifiedToken {
  user: PrincipalUser;
  token: TokenIdentity;
}

function toTokenView(t: PersonalAccessTokenEntity): TokenView {
  return {
    id: t.id,
    name: t.name,
    prefix: t.tokenPrefix,
    scopes: t.scopes,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    lastUsedIp: t.lastUsedIp,
  };
}

@Injectable()
export class TokensService {
  private readonly logger = new Logger('Tokens');
  /**
   * digest → verified token, for a few seconds. A revoke evicts at once in this process and, via
   * TokenRevocationListener, in every other instance on the same PostgreSQL database.
   */
  private readonly verified = new Map<string, { value: VerifiedToken; until: number }>();
  /**
   * Counts evictions. A verification that read the database before an eviction must not cache
   * its (possibly revoked) result after it, or the revoke would be undone for the cache lifetime.
   */
  private evictions = 0;
  /** token id → when lastUsed was last written. */
  private readonly lastUseWrites = new Map<string, number>();

  constructor(
    @InjectRepository(PersonalAccessTokenEntity)
    private readonly tokens: Repository<PersonalAccessTokenEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly background: BackgroundWrites,
    private readonly events: DomainEvents,
  ) {}

  async create(
    userId: string,
    input: { name: string; scopes: Scope[]; expiresAt?: Date },
    origin: RequestOrigin,
  ): Promise<{ token: string; meta: TokenView }> {
    const raw = generatePat();
    const scopes = [...new Set(input.scopes)].sort();
    return this.tokens.manager.transaction(async (tx) => {
      const entity = await tx.save(
        tx.create(PersonalAccessTokenEntity, {
          userId,
          name: input.name.trim(),
          tokenHash: digestSecret(this.config.tokenPepper, raw),
          tokenPrefix: patDisplayPrefix(raw),
          scopes,
          expiresAt: input.expiresAt ?? null,
        }),
      );
      await this.audit.record(
        {
          action: 'token.created',
          actorUserId: userId,
          actorTokenId: entity.id,
          origin,
          details: {
            tokenId: entity.id,
            prefix: entity.tokenPrefix,
            scopes,
            expiresAt: entity.expiresAt?.toISOString() ?? null,
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
      return { token: raw, meta: toTokenView(entity) };
    });
  }

  async listForUser(userId: string): Promise<TokenView[]> {
    const rows = await this.tokens.find({
      where: { userId, revokedAt: IsNull() },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    return rows.map(toTokenView);
  }

  /** Revokes the user's own token; someone else's is indistinguishable from a missing one (404). */
  async revokeOwn(userId: string, tokenId: string, origin: RequestOrigin): Promise<void> {
    await this.revoke({ id: tokenId, userId }, userId, origin, 'owner');
  }

  async revokeAsAdmin(adminUserId: string, tokenId: string, origin: RequestOrigin): Promise<void> {
    await this.revoke({ id: tokenId }, adminUserId, origin, 'admin');
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
   * Verifies a presented bearer token: shape and checksum first (no I/O for garbage), then the
   * HMAC digest against the database, briefly cached in memory. Null for anything not usable:
   * malformed, unknown, expired or revoked.
   */
  async verify(raw: string): Promise<VerifiedToken | null> {
    if (!isWellFormedPat(raw)) return null;
    const digest = digestSecret(this.config.tokenPepper, raw);
    const now = Date.now();
    const cached = this.verified.get(digest);
    if (cached && cached.until > now) {
      return this.stillValid(cached.value, now) ? cached.value : null;
    }
    this.verified.delete(digest);
    const evictionsBefore = this.evictions;
    const row = await this.tokens
      .createQueryBuilder('t')
      .innerJoinAndSelect('t.user', 'u')
      .where('t.token_hash = :digest', { digest })
      .andWhere('t.revoked_at IS NULL')
      .getOne();
    if (!row?.user) return null;
    const value: VerifiedToken = {
      user: toPrincipalUser(row.user),
      token: {
        id: row.id,
        name: row.name,
        prefix: row.tokenPrefix,
        scopes: row.scopes,
        createdAt: row.createdAt,
        expiresAt: row.expiresAt,
      },
    };
    if (!this.stillValid(value, now)) return null;
    if (this.evictions !== evictionsBefore) return value; // answer this request; cache nothing
    if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.clear();
    this.verified.set(digest, { value, until: now + VERIFIED_CACHE_MS });
    return value;
  }

  /**
   * Records use off the request's critical path (a background write, awaited at shutdown), at
   * most once a minute per token.
   */
  noteUse(tokenId: string, ip: string | null): void {
    const now = Date.now();
    const last = this.lastUseWrites.get(tokenId);
    if (last !== undefined && now - last < LAST_USED_INTERVAL_MS) return;
    this.lastUseWrites.set(tokenId, now);
    this.background.run(
      () => this.tokens.update({ id: tokenId }, { lastUsedAt: new Date(now), lastUsedIp: ip }),
      (err) => this.logger.warn({ err, tokenId }, 'could not record token use'),
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
    which: { id: string; userId?: string },
    actorUserId: string,
    origin: RequestOrigin,
    by: 'owner' | 'admin',
  ) {
    const token = await this.tokens.manager.transaction(async (tx) => {
      const query = tx
        .createQueryBuilder()
        .update(PersonalAccessTokenEntity)
        .set({ revokedAt: () => 'now()' })
        .where('id = :id AND revoked_at IS NULL', { id: which.id });
      if (which.userId) query.andWhere('user_id = :userId', { userId: which.userId });
      const result = await query.returning(['id', 'userId', 'tokenPrefix', 'name']).execute();
      const [row] = result.raw as {
        id: string;
        user_id: string;
        token_prefix: string;
        name: string;
      }[];
      if (!row) throw ProblemException.notFound('No such token.');
      // Delivered to every listening instance when (and only if) the revoke commits.
      await tx.query('SELECT pg_notify($1, $2)', [TOKEN_REVOKED_CHANNEL, row.id]);
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
      return row;
    });
    this.evictVerified(token.id);
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
