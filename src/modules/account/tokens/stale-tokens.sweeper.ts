import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, PollingLoop } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { DomainEvents } from '../../../events/index.js';
import { ACCOUNT_EVENT_TYPES } from '../account.events.js';
import { daysMs, STALE_WARNING_DAYS, staleRevocationAt } from './token-policy.js';
import { TokenPolicyService } from './token-policy.service.js';
import { TokensService } from './tokens.service.js';

/** Stale tokens are a matter of days: looking every quarter of an hour is plenty. */
const SWEEP_INTERVAL_MS = 15 * 60_000;
const SWEEP_BATCH = 100;

interface WarnedRow {
  id: string;
  user_id: string;
  name: string;
  token_prefix: string;
  last_used_at: Date | null;
  created_at: Date;
}

/**
 * Stale-token clean-up (like GitHub's revocation of tokens unused for a year). With the policy's
 * N days (TOKEN_STALE_AFTER_DAYS or the admin override; 0 = off), a live token unused (last use,
 * or creation if never used) for N − 14 days gets one warning: `token.stale_warning` recorded
 * for its owner in the same transaction that stamps `stale_warned_at`, so it is recorded once.
 * Unused for N days and warned at least 14 days before, it is revoked through the normal revoke
 * path (by "stale"). A use clears the warning (TokensService.noteUse).
 *
 * Safe with any number of instances: the warning is one conditional UPDATE … RETURNING over rows
 * locked with FOR UPDATE SKIP LOCKED, and the revocation re-checks staleness in the UPDATE that
 * revokes, so of two racing sweeps exactly one warns or revokes each token.
 */
@Injectable()
export class StaleTokensSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('StaleTokens');
  private readonly loop: PollingLoop;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    private readonly policy: TokenPolicyService,
    private readonly tokens: TokensService,
  ) {
    this.loop = new PollingLoop({
      name: 'stale-tokens',
      intervalMs: SWEEP_INTERVAL_MS,
      tick: () => this.sweep(),
      onError: (err) => this.log.error({ err }, 'stale-token sweep failed'),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.backgroundWork) this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }

  /** Sweeps until nothing is due (tests drive it with a moved clock). */
  runNow(): Promise<void> {
    return this.loop.runNow();
  }

  /** One batch of warnings and revocations; returns how many tokens it warned or revoked. */
  async sweep(): Promise<number> {
    const { staleAfterDays } = await this.policy.current();
    if (staleAfterDays === 0) return 0;
    const now = this.clock.now();
    const warned = await this.warnDue(now, staleAfterDays);
    const revoked = await this.revokeDue(now, staleAfterDays);
    return warned + revoked;
  }

  private async warnDue(now: Date, staleAfterDays: number): Promise<number> {
    const unusedSince = new Date(now.getTime() - daysMs(staleAfterDays - STALE_WARNING_DAYS));
    return this.db.transaction(async (tx) => {
      // Tokens that expire before they would be revoked are left to expire: no warning.
      const result: unknown = await tx.query(
        `WITH due AS (
           SELECT id FROM personal_access_tokens
            WHERE revoked_at IS NULL AND replaced_by_id IS NULL AND stale_warned_at IS NULL
              AND COALESCE(last_used_at, created_at) <= $2
              AND (expires_at IS NULL
                   OR expires_at > COALESCE(last_used_at, created_at) + $3 * interval '24 hours')
            ORDER BY COALESCE(last_used_at, created_at), id
            LIMIT $4
            FOR UPDATE SKIP LOCKED)
         UPDATE personal_access_tokens AS t SET stale_warned_at = $1
           FROM due WHERE t.id = due.id AND t.stale_warned_at IS NULL
         RETURNING t.id, t.user_id, t.name, t.token_prefix, t.last_used_at, t.created_at`,
        [now.toISOString(), unusedSince.toISOString(), staleAfterDays, SWEEP_BATCH],
      );
      // TypeORM answers an UPDATE … RETURNING on PostgreSQL with [rows, affectedCount].
      const rows = (
        Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result
      ) as WarnedRow[];
      for (const row of rows) {
        const lastUsedAt = row.last_used_at ? new Date(row.last_used_at) : null;
        await this.events.record(
          tx,
          ACCOUNT_EVENT_TYPES.tokenStaleWarning,
          {
            tokenId: row.id,
            name: row.name,
            tokenPrefix: row.token_prefix,
            lastUsedAt: lastUsedAt?.toISOString() ?? null,
            revokesAt: staleRevocationAt(
              lastUsedAt ?? new Date(row.created_at),
              now,
              staleAfterDays,
            ).toISOString(),
          },
          { recipients: [row.user_id] },
        );
      }
      return rows.length;
    });
  }

  private async revokeDue(now: Date, staleAfterDays: number): Promise<number> {
    const unusedSince = new Date(now.getTime() - daysMs(staleAfterDays));
    const warnedBy = new Date(now.getTime() - daysMs(STALE_WARNING_DAYS));
    const due = await this.db.query<{ id: string }[]>(
      `SELECT id FROM personal_access_tokens
        WHERE revoked_at IS NULL AND replaced_by_id IS NULL
          AND stale_warned_at <= $1 AND COALESCE(last_used_at, created_at) <= $2
        ORDER BY stale_warned_at, id
        LIMIT $3`,
      [warnedBy.toISOString(), unusedSince.toISOString(), SWEEP_BATCH],
    );
    let revoked = 0;
    for (const { id } of due)
      if (await this.tokens.revokeStale(id, { unusedSince, warnedBy })) revoked++;
    return revoked;
  }
}
