import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, PollingLoop } from '../../../common/index.js';
import { errorForLog } from '../../../common/database-errors.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { DomainEvents } from '../../../events/index.js';
import { ACCOUNT_EVENT_TYPES } from '../account.events.js';
import type { TokenExpiryStage } from './token-expiry-notice.entity.js';

interface DueNotice {
  id: string;
  user_id: string;
  name: string;
  token_prefix: string;
  expires_at: Date;
  stage: TokenExpiryStage;
}

const BATCH = 50;
/**
 * An "expired" notice is sent for tokens that expired at most this long ago: after an outage of
 * the sweep the owner still hears, but the first deployment of this feature does not mail
 * everyone about tokens that died months ago.
 */
const EXPIRED_LOOKBACK = '7 days';

/** Days left announced by each warning stage. */
const DAYS_LEFT: Record<Exclude<TokenExpiryStage, 'expired'>, 30 | 7 | 1> = {
  '30d': 30,
  '7d': 7,
  '1d': 1,
};

/**
 * The stage a token is in at `$1` (the most urgent threshold it has crossed), and whether the
 * token was created before that threshold: a token made with 5 days left never gets the 30- or
 * 7-day warning, only the 1-day one and the expiry notice. Rotated-out values are left out (the
 * successor carries the same expiry) and so are revoked tokens.
 */
const DUE_NOTICES_SQL = `
  WITH staged AS (
    SELECT t.id, t.user_id, t.name, t.token_prefix, t.expires_at, t.created_at,
           CASE WHEN t.expires_at <= $1::timestamptz THEN 'expired'
                WHEN t.expires_at <= $1::timestamptz + interval '1 day' THEN '1d'
                WHEN t.expires_at <= $1::timestamptz + interval '7 days' THEN '7d'
                ELSE '30d' END AS stage
      FROM personal_access_tokens t
     WHERE t.revoked_at IS NULL
       AND t.replaced_by_id IS NULL
       AND t.expires_at <= $1::timestamptz + interval '30 days'
       AND t.expires_at > $1::timestamptz - interval '${EXPIRED_LOOKBACK}'
  )
  SELECT s.id, s.user_id, s.name, s.token_prefix, s.expires_at, s.stage
    FROM staged s
   WHERE s.created_at < s.expires_at - CASE s.stage WHEN '30d' THEN interval '30 days'
                                                    WHEN '7d' THEN interval '7 days'
                                                    WHEN '1d' THEN interval '1 day'
                                                    ELSE interval '0' END
     AND NOT EXISTS (SELECT 1 FROM token_expiry_notices n
                      WHERE n.token_id = s.id AND n.stage = s.stage)
   ORDER BY s.expires_at, s.id
   LIMIT ${BATCH}`;

/**
 * Expiry warnings (issue 21): every instance sweeps, and each (token, stage) is announced once
 * however many do. Per due token, one transaction inserts the `token_expiry_notices` row with
 * ON CONFLICT DO NOTHING and records `token.expiring` / `token.expired` only if the insert won;
 * the loser of a race inserts nothing and records nothing. The event reaches the owner's webhook
 * endpoints and, through the mail queue, their inbox. Times come from the injectable clock.
 */
@Injectable()
export class TokenExpirySweep implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TokenExpirySweep');
  private readonly loop: PollingLoop;

  constructor(
    private readonly db: DataSource,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new PollingLoop({
      name: 'token-expiry-sweep',
      intervalMs: config.tokenExpirySweepMs,
      tick: () => this.sweep(),
      onError: (err) =>
        this.logger.error({ err: errorForLog(err) }, 'Token expiry sweep tick failed'),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.backgroundWork) this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }

  /** Sweeps until nothing is due (tests; works whether or not the loop runs). */
  async runNow(): Promise<void> {
    await this.loop.runNow();
  }

  /** One batch: returns how many due notices it looked at (won or lost to another instance). */
  private async sweep(): Promise<number> {
    const now = this.clock.now();
    const due = await this.db.query<DueNotice[]>(DUE_NOTICES_SQL, [now.toISOString()]);
    for (const notice of due) await this.announce(notice, now);
    return due.length;
  }

  private async announce(notice: DueNotice, now: Date): Promise<void> {
    await this.db.transaction(async (tx) => {
      const won = await tx.query<{ token_id: string }[]>(
        `INSERT INTO token_expiry_notices (token_id, stage, noticed_at)
         SELECT id, $2, $3 FROM personal_access_tokens WHERE id = $1 AND revoked_at IS NULL
         ON CONFLICT (token_id, stage) DO NOTHING
         RETURNING token_id`,
        [notice.id, notice.stage, now.toISOString()],
      );
      if (won.length === 0) return; // another instance announced it, or it was just revoked
      const token = { tokenId: notice.id, name: notice.name, tokenPrefix: notice.token_prefix };
      const expiresAt = new Date(notice.expires_at).toISOString();
      if (notice.stage === 'expired') {
        await this.events.record(
          tx,
          ACCOUNT_EVENT_TYPES.tokenExpired,
          { ...token, expiredAt: expiresAt },
          { recipients: [notice.user_id] },
        );
      } else {
        await this.events.record(
          tx,
          ACCOUNT_EVENT_TYPES.tokenExpiring,
          { ...token, expiresAt, daysLeft: DAYS_LEFT[notice.stage] },
          { recipients: [notice.user_id] },
        );
      }
    });
  }
}
