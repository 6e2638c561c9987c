import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, errorForLog, SecretBox } from '../../../common/index.js';
import { PollingLoop } from '../../../common/polling-loop.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { claimDueJobs, workerId } from '../../../database/index.js';
import { WebhookEndpointEntity } from '../endpoints/webhook-endpoint.entity.js';
import { secretContext, signatureHeader } from '../webhook-signing.js';
import { nextAttemptAt, parseRetryAfter, RETRY_WINDOW_MS } from './retry-schedule.js';
import { type WebhookResponse, WebhookTransport } from './webhook-transport.js';

/** A claimed delivery, as the claim helper returns it (snake_case). */
interface ClaimedDelivery {
  id: string;
  endpoint_id: string;
  webhook_id: string;
  body: string;
  attempts: number;
  queued_at: Date;
}

/** Deliveries sent at once by one worker. */
const BATCH = 32;
/**
 * The lease is twice the request deadline: a slow attempt is finished (or timed out) and recorded
 * long before another worker may claim it, so one attempt is never sent twice at once.
 */
const LEASE_FACTOR = 2;

/**
 * Sends due deliveries: claims them from PostgreSQL (FOR UPDATE SKIP LOCKED, with a lease), signs
 * and POSTs each, then records the attempt and reschedules or finishes the delivery. A worker
 * killed mid-send leaves its lease to expire, and the delivery is claimed and sent again under the
 * same webhook id: at least once, never lost.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookDeliveries');
  /** This process and this app instance (tests boot several in one process). */
  private readonly worker = `${workerId()}:${randomUUID().slice(0, 4)}`;
  private loop?: PollingLoop;
  private nudged?: Promise<void>;

  constructor(
    private readonly db: DataSource,
    private readonly transport: WebhookTransport,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.backgroundWork) return;
    this.loop = new PollingLoop({
      name: 'webhook-deliveries',
      intervalMs: this.config.eventsPollMs,
      tick: () => this.runDue(),
      onError: (error) =>
        this.logger.error({ err: errorForLog(error) }, 'webhook delivery tick failed'),
    });
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    const loop = this.loop;
    this.loop = undefined; // no new nudges
    await loop?.stop();
    await this.nudged;
  }

  /**
   * Looks for due work now instead of at the next poll (after a fan-out, a test or a redelivery).
   * Nudges while one is running are folded into it: it runs until a claim finds nothing.
   */
  nudge(): void {
    if (!this.loop || this.nudged) return;
    this.nudged = this.loop.runNow().finally(() => (this.nudged = undefined));
  }

  /**
   * Sends everything due, after whatever attempt the loop (or a nudge) already has in flight: a
   * caller that only claimed itself could find the due rows leased by that attempt and return
   * before it finished.
   */
  async drain(): Promise<void> {
    await this.nudged;
    if (this.loop) await this.loop.runNow();
    else while ((await this.runDue()) > 0);
  }

  /** Claims and sends one batch of due deliveries; returns how many were claimed. */
  async runDue(): Promise<number> {
    const claimed = await claimDueJobs<ClaimedDelivery>(this.db, {
      table: 'webhook_deliveries',
      worker: this.worker,
      limit: BATCH,
      leaseMs: this.config.webhookTimeoutMs * LEASE_FACTOR,
      now: this.clock.now(),
      // Deliveries of a disabled endpoint wait; re-enabling it resumes them.
      where: `status = 'pending' AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = webhook_deliveries.endpoint_id AND e.enabled)`,
    });
    await Promise.all(claimed.map((row) => this.deliver(row)));
    return claimed.length;
  }

  private async deliver(row: ClaimedDelivery): Promise<void> {
    const endpoint = await this.db
      .getRepository(WebhookEndpointEntity)
      .createQueryBuilder('e')
      .addSelect(['e.secretSealed', 'e.previousSecretSealed'])
      .where('e.id = :id', { id: row.endpoint_id })
      .getOne();
    if (!endpoint) return; // deleted since the claim; its deliveries went with it
    const attemptedAt = this.clock.now();
    let response: WebhookResponse;
    const secrets = this.openSecrets(endpoint, attemptedAt);
    if (!secrets) {
      response = {
        status: null,
        errorClass: 'signature',
        error: 'the signing secret could not be opened (was SECRETS_KEY changed?)',
        retryAfter: undefined,
        bodyExcerpt: '',
        latencyMs: 0,
      };
    } else {
      try {
        response = await this.transport.send({
          url: endpoint.url,
          body: row.body,
          headers: {
            'webhook-id': row.webhook_id,
            'webhook-timestamp': String(Math.floor(attemptedAt.getTime() / 1000)),
            'webhook-signature': signatureHeader(secrets, row.webhook_id, attemptedAt, row.body),
          },
        });
      } catch (error) {
        // The transport answers failures as values; a throw is a bug, logged and retried.
        this.logger.error({ err: errorForLog(error) }, 'webhook transport threw');
        response = {
          status: null,
          errorClass: 'connect',
          error: 'the request could not be made',
          retryAfter: undefined,
          bodyExcerpt: '',
          latencyMs: 0,
        };
      }
    }
    await this.finish(row, endpoint, attemptedAt, response);
  }

  /** The current secret, and the previous one while its overlap lasts; null if one won't open. */
  private openSecrets(endpoint: WebhookEndpointEntity, now: Date): string[] | null {
    try {
      const context = secretContext(endpoint.id);
      const secrets = [this.secrets.open(endpoint.secretSealed!, context)];
      if (
        endpoint.previousSecretSealed &&
        endpoint.previousSecretExpiresAt &&
        endpoint.previousSecretExpiresAt > now
      )
        secrets.push(this.secrets.open(endpoint.previousSecretSealed, context));
      return secrets;
    } catch {
      return null;
    }
  }

  /** Records the attempt and moves the delivery and its endpoint on, in one transaction. */
  private async finish(
    row: ClaimedDelivery,
    endpoint: WebhookEndpointEntity,
    attemptedAt: Date,
    response: WebhookResponse,
  ): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO webhook_delivery_attempts
           (delivery_id, attempted_at, worker, response_status, latency_ms, error_class, error, response_body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          row.id,
          attemptedAt,
          this.worker,
          response.status,
          response.latencyMs,
          response.errorClass,
          response.error,
          response.bodyExcerpt.replace(/\0/g, ''),
        ],
      );
      if (response.errorClass === null) {
        await tx.query(
          `UPDATE webhook_deliveries SET status = 'succeeded', delivered_at = $3, last_response_status = $4,
             last_error_class = NULL, lease_owner = NULL, lease_expires_at = NULL
           WHERE id = $1 AND lease_owner = $2`,
          [row.id, this.worker, now, response.status],
        );
        await tx.query(
          `UPDATE webhook_endpoints SET last_success_at = $2, failing_since = NULL WHERE id = $1`,
          [endpoint.id, now],
        );
        return;
      }

      const gone = response.status === 410;
      const next = gone
        ? null
        : nextAttemptAt({
            attempts: row.attempts,
            createdAt: new Date(row.queued_at),
            now,
            retryAfterMs: parseRetryAfter(response.retryAfter, now),
          });
      await tx.query(
        `UPDATE webhook_deliveries SET status = $3, run_at = coalesce($4, run_at), last_response_status = $5,
           last_error_class = $6, lease_owner = NULL, lease_expires_at = NULL
         WHERE id = $1 AND lease_owner = $2`,
        [
          row.id,
          this.worker,
          next ? 'pending' : 'failed',
          next,
          response.status,
          response.errorClass,
        ],
      );
      const failingSince = endpoint.failingSince ?? now;
      const disableFor = gone
        ? `The endpoint answered 410 Gone at ${now.toISOString()}, so it was disabled; enable it again to resume deliveries.`
        : now.getTime() - failingSince.getTime() >= RETRY_WINDOW_MS
          ? `Every delivery failed for three days (since ${failingSince.toISOString()}), so the endpoint was disabled; the last error was "${response.errorClass}: ${response.error}". Enable it again to resume deliveries.`
          : null;
      await tx.query(
        `UPDATE webhook_endpoints SET last_error = $2, last_error_at = $3,
           failing_since = coalesce(failing_since, $3),
           enabled = CASE WHEN $4::text IS NULL THEN enabled ELSE false END,
           disabled_reason = coalesce($4::text, disabled_reason)
         WHERE id = $1`,
        [endpoint.id, `${response.errorClass}: ${response.error}`, now, disableFor],
      );
    });
  }
}
