import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Response } from 'express';
import type { Repository } from 'typeorm';
import { AuditService } from '../../../access/audit/audit.service.js';
import { digestSecret, isWellFormedPat } from '../../../access/pat-format.js';
import type { RequestOrigin } from '../../../access/principal.js';
import { RateLimiter, type RateLimitPolicy } from '../../../access/rate-limiter.js';
import { Clock } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { DomainEvents } from '../../../events/index.js';
import { ACCOUNT_EVENT_TYPES } from '../account.events.js';
import { PersonalAccessTokenEntity } from './personal-access-token.entity.js';
import { TokensService } from './tokens.service.js';

/**
 * Reports per IP per minute, on top of the anonymous per-IP limit every public route has. A
 * scanner sends up to 1,000 candidates a call, so this still takes 30,000 a minute from one
 * address, while bounding the lookups (and the report audit rows) anyone can cause.
 */
export const LEAK_REPORTS_PER_IP: RateLimitPolicy = {
  name: 'token-revocations-ip',
  limit: 30,
  windowMs: 60_000,
};

export interface LeakReportReceipt {
  received: number;
  checksumValid: number;
  checksumInvalid: number;
}

/**
 * Leaked-token revocation for secret scanners (POST /api/tokens/revocations), modelled on
 * GitHub's credential revocation API. Candidates are checked offline first (shape and CRC-32
 * checksum, no I/O); only well-formed ones are looked up, by HMAC digest, as any presented token
 * is. Each live match is revoked at once through TokensService (NOTIFY to every instance,
 * audited) and its owner told through `token.leak_reported`, recorded in the revoke's
 * transaction (email and webhooks follow from it). The receipt holds counts that depend only on
 * the request, never on what matched.
 */
@Injectable()
export class LeakedTokensService {
  constructor(
    @InjectRepository(PersonalAccessTokenEntity)
    private readonly tokenRows: Repository<PersonalAccessTokenEntity>,
    private readonly tokens: TokensService,
    private readonly rateLimiter: RateLimiter,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async report(
    input: { tokens: string[]; source?: string },
    origin: RequestOrigin,
    res?: Response,
  ): Promise<LeakReportReceipt> {
    await this.rateLimiter.hit(LEAK_REPORTS_PER_IP, origin.ip ?? 'unknown', res);
    const candidates = input.tokens.map((t) => t.trim());
    const wellFormed = candidates.filter((candidate) => isWellFormedPat(candidate));
    const receipt: LeakReportReceipt = {
      received: candidates.length,
      checksumValid: wellFormed.length,
      checksumInvalid: candidates.length - wellFormed.length,
    };
    const source = input.source ?? null;
    const live = await this.findLive([...new Set(wellFormed)]);
    let revoked = 0;
    for (const tokenId of live) {
      const done = await this.tokens.revokeReportedLeak(tokenId, origin, async (tx, token) => {
        await this.audit.record(
          {
            action: 'token.leak_reported',
            actorTokenId: token.id,
            origin,
            details: { tokenId: token.id, prefix: token.prefix, ownerUserId: token.userId, source },
          },
          tx,
        );
        await this.events.record(
          tx,
          ACCOUNT_EVENT_TYPES.tokenLeakReported,
          {
            tokenId: token.id,
            name: token.name,
            tokenPrefix: token.prefix,
            source,
            revokedAt: token.revokedAt.toISOString(),
          },
          { recipients: [token.userId] },
        );
      });
      if (done) revoked += 1;
    }
    // One row per report, so an operator can see who reports what; the reporter never sees
    // `revoked`.
    await this.audit.record({
      action: 'token.leak_report_received',
      origin,
      details: { ...receipt, revoked, source },
    });
    return receipt;
  }

  /**
   * Ids of the tokens among `raw` that still work now: not revoked, not expired, and (a
   * rotated-out value) still in its grace. A dead token needs no revoking and its owner no mail.
   */
  private async findLive(raw: string[]): Promise<string[]> {
    if (raw.length === 0) return [];
    const digests = raw.map((token) => digestSecret(this.config.tokenPepper, token));
    const now = this.clock.now().toISOString();
    const rows = await this.tokenRows.query<{ id: string }[]>(
      `SELECT id FROM personal_access_tokens
        WHERE token_hash = ANY($1::text[]) AND revoked_at IS NULL
          AND (expires_at IS NULL OR expires_at > $2)
          AND (grace_until IS NULL OR grace_until > $2)`,
      [digests, now],
    );
    return rows.map((row) => row.id);
  }
}
