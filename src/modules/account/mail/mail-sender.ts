import { randomUUID } from 'node:crypto';
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
import { claimDueJobs, workerId } from '../../../database/job-claims.js';
import { Mailer } from './mailer.js';

interface ClaimedMail {
  id: string;
  to_address: string;
  subject: string;
  text: string;
  html: string | null;
  attempts: number;
}

const BATCH = 10;
/** Longer than a send can take (the SMTP timeouts are 30 s): a live send keeps its claim. */
const LEASE_MS = 2 * 60_000;
/** After this many failed attempts (about two days of backoff) a message is left unsent, with its last error. */
export const MAIL_MAX_ATTEMPTS = 20;

/** Sent messages are kept this long (to answer "did it go out?"), then deleted. */
export const MAIL_RETENTION_DAYS = 30;
const PURGE_EVERY_MS = 3600_000;

/** Retry delay after the n-th failed attempt: 10 s, 20 s, 40 s, … capped at 3 hours. */
export function mailBackoffMs(attempts: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, attempts - 1), 3 * 3600_000);
}

/** The Message-ID of a queued message: the same on every attempt, so a resend can be recognised. */
export function mailMessageId(outboxId: string): string {
  return `<mail-${outboxId}@getpaidx>`;
}

/**
 * Sends queued mail: claims due `mail_outbox` rows (any number of instances share them through
 * `claimDueJobs`), hands each to the Mailer and marks it sent; a failure is retried with
 * backoff. Delivery is at least once: a process killed after the relay accepted a message but
 * before `sent_at` was written sends it again when the lease runs out, with the same Message-ID.
 * Runs only where `BACKGROUND_WORK` is on.
 */
@Injectable()
export class MailSender implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('MailSender');
  /** This process and this app instance (tests boot several in one process). */
  private readonly worker = `${workerId()}:${randomUUID().slice(0, 4)}`;
  private readonly loop: PollingLoop;
  private running = false;
  private nudged?: Promise<void>;
  private lastPurge = 0;

  constructor(
    private readonly db: DataSource,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new PollingLoop({
      name: 'mail-sender',
      intervalMs: config.eventsPollMs,
      tick: () => this.sendDue(),
      onError: (err) => this.logger.error({ err: errorForLog(err) }, 'Mail sender tick failed'),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.backgroundWork) return;
    this.running = true;
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false; // no new nudges
    await this.loop.stop();
    await this.nudged;
    this.mailer.close();
  }

  /** Looks for due mail now instead of at the next poll (after an event queued some). */
  nudge(): void {
    if (!this.running || this.nudged) return;
    this.nudged = this.loop.runNow().finally(() => (this.nudged = undefined));
  }

  /** Sends everything due now (tests; works whether or not the loop runs). */
  async drain(): Promise<void> {
    await this.loop.runNow();
  }

  /** One batch: returns how many messages it claimed. */
  private async sendDue(): Promise<number> {
    await this.purgeOldSent();
    const claimed = await claimDueJobs<ClaimedMail>(this.db, {
      table: 'mail_outbox',
      worker: this.worker,
      limit: BATCH,
      leaseMs: LEASE_MS,
      now: this.clock.now(),
      where: 'sent_at IS NULL AND attempts < $1',
      params: [MAIL_MAX_ATTEMPTS],
    });
    for (const row of claimed) await this.send(row);
    return claimed.length;
  }

  /**
   * At most hourly per instance: deletes messages sent more than MAIL_RETENTION_DAYS ago, so
   * the queue does not keep everyone's mail forever. (No event is handled twice, so a deleted
   * row's dedupe key is never needed again.)
   */
  private async purgeOldSent(): Promise<void> {
    const now = this.clock.now().getTime();
    // (A clock that went back, as a test's can, counts as due.)
    if (now >= this.lastPurge && now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    await this.db.query('DELETE FROM mail_outbox WHERE sent_at < $1', [
      new Date(now - MAIL_RETENTION_DAYS * 24 * 3600_000).toISOString(),
    ]);
  }

  private async send(row: ClaimedMail): Promise<void> {
    try {
      await this.mailer.send({
        messageId: mailMessageId(row.id),
        to: row.to_address,
        subject: row.subject,
        text: row.text,
        ...(row.html ? { html: row.html } : {}),
      });
    } catch (err) {
      const retryAt = new Date(this.clock.now().getTime() + mailBackoffMs(row.attempts));
      this.logger.warn(
        { err: errorForLog(err), mailId: row.id, attempts: row.attempts },
        row.attempts >= MAIL_MAX_ATTEMPTS
          ? 'Mail could not be sent; giving up'
          : 'Mail could not be sent; retrying later',
      );
      await this.db.query(
        `UPDATE mail_outbox
            SET run_at = $2, lease_owner = NULL, lease_expires_at = NULL, last_error = $3
          WHERE id = $1`,
        [row.id, retryAt.toISOString(), describe(err)],
      );
      return;
    }
    await this.db.query(
      `UPDATE mail_outbox
          SET sent_at = $2, lease_owner = NULL, lease_expires_at = NULL, last_error = NULL
        WHERE id = $1`,
      [row.id, this.clock.now().toISOString()],
    );
  }
}

function describe(err: unknown): string {
  // The relay's answer is useful; a URL with credentials in an error message is not.
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return message.replace(/\/\/[^@/\s]+@/g, '//***@').slice(0, 500);
}
