import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Clock } from '../../../common/clock.js';
import { PollingLoop } from '../../../common/polling-loop.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { claimDueJobs, workerId } from '../../../database/index.js';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { type Page, pageByCreation, ProblemException } from '../../../common/index.js';
import { PayoutAccountEntity, TransferEntity, type TransferStatus } from '../billing.entities.js';
import type { TransferDto } from '../billing.dto.js';
import { transferGroupOf } from '../checkout/checkout.service.js';
import { affectedRows } from '../payouts/payouts.service.js';
import { StripeGateway, stripeNotConfigured } from '../stripe/stripe-gateway.js';

export interface ShareOwed {
  purchaseId: string;
  sellerId: string;
  destinationUserId: string;
  referralPathId: string | null;
  shareBps: number;
  /** The amount paid; the share is floor(amount × bps / 10000). */
  purchaseAmount: number;
  /** `checkout`, or the id of the renewal invoice whose payment this shares. */
  source?: string;
  currency: string;
}

/**
 * Co-seller shares: recorded in the purchase's transaction, paid as a Stripe transfer after it
 * commits. Each attempt uses the idempotency key transfer:{id}:{attempt}, so a repeated request
 * of one attempt is one transfer at Stripe, and a retry (a new attempt) is a new request.
 */
@Injectable()
export class TransfersService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TransfersService.name);
  /** Pays what is due: transfers whose first payment was cut off (a crash, a restart). */
  private readonly loop: PollingLoop;

  constructor(
    @InjectRepository(TransferEntity) private readonly transfers: Repository<TransferEntity>,
    @InjectRepository(PayoutAccountEntity)
    private readonly accounts: Repository<PayoutAccountEntity>,
    private readonly stripe: StripeGateway,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new PollingLoop({
      name: 'billing-transfers',
      // Leases last a minute: polling more often than every few seconds finds nothing new.
      intervalMs: Math.max(config.eventsPollMs, 5_000),
      tick: () => (this.stripe.configured ? this.payDue() : Promise.resolve(0)),
      onError: (err) => this.logger.warn({ err }, 'transfer payment loop failed'),
    });
  }

  /** Inside the purchase's transaction; the id of the transfer to pay, or null when nothing is owed. */
  async record(tx: EntityManager, share: ShareOwed): Promise<string | null> {
    const amount = Math.floor((share.purchaseAmount * share.shareBps) / 10_000);
    if (amount <= 0) return null;
    const rows = affectedRows<{ id: string }>(
      await tx.query(
        `INSERT INTO transfers (purchase_id, seller_id, destination_user_id, referral_path_id, share_bps,
           amount, currency, transfer_group, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (purchase_id, destination_user_id, source) DO NOTHING RETURNING id`,
        [
          share.purchaseId,
          share.sellerId,
          share.destinationUserId,
          share.referralPathId,
          share.shareBps,
          amount,
          share.currency,
          transferGroupOf(share.purchaseId),
          share.source ?? 'checkout',
        ],
      ),
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Pays a just-recorded transfer now, once its purchase has committed (the queue loop would
   * also find it; this saves the wait). A failure is recorded, not thrown.
   */
  async payNew(transferId: string): Promise<void> {
    await this.payDue({ transferId });
  }

  /** POST /api/transfers/{id}/retry: a failed transfer of the caller's, as a new payment attempt. */
  async retry(sellerId: string, transferId: string): Promise<TransferDto> {
    if (!this.stripe.configured) throw stripeNotConfigured();
    const transfer = await this.transfers.findOneBy({ id: transferId, sellerId });
    if (!transfer) throw ProblemException.notFound('No such transfer of yours.');
    // Atomic: of two concurrent retries one makes the new attempt, the other is a conflict.
    const reopened = affectedRows(
      await this.transfers.query(
        `UPDATE transfers SET status = 'pending', payment_attempt = payment_attempt + 1,
           last_error = NULL, run_at = $2, updated_at = now()
          WHERE id = $1 AND status = 'failed' RETURNING id`,
        [transferId, this.clock.now()],
      ),
    );
    if (!reopened[0])
      throw ProblemException.conflict(
        `Only a failed transfer can be retried; this one is ${transfer.status}.`,
      );
    await this.payDue({ transferId });
    return view(await this.transfers.findOneByOrFail({ id: transferId }));
  }

  /**
   * Claims due pending transfers (one, or a batch for the loop) and asks Stripe for each. A
   * worker killed mid-request leaves its lease to run out; the next claim repeats the same
   * payment attempt under the same idempotency key, so Stripe makes one transfer.
   */
  async payDue(only: { transferId?: string } = {}): Promise<number> {
    const claimed = await claimDueJobs<{ id: string }>(this.transfers.manager, {
      table: 'transfers',
      worker: workerId(),
      limit: only.transferId ? 1 : 10,
      leaseMs: 60_000,
      now: this.clock.now(),
      where: only.transferId ? `status = 'pending' AND id = $1` : `status = 'pending'`,
      params: only.transferId ? [only.transferId] : [],
    });
    for (const row of claimed) await this.attempt(row.id);
    return claimed.length;
  }

  onApplicationBootstrap(): void {
    if (this.config.backgroundWork) this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }

  async list(
    sellerId: string,
    query: { status?: TransferStatus; limit?: number; cursor?: string },
  ): Promise<Page<TransferDto>> {
    const qb = this.transfers
      .createQueryBuilder('t')
      .where('t.seller_id = :sellerId', { sellerId });
    if (query.status) qb.andWhere('t.status = :status', { status: query.status });
    return pageByCreation(qb, query, view);
  }

  /** From transfer.created / transfer.reversed, inside the event's transaction. */
  async applyStripeTransfer(
    tx: EntityManager,
    transfer: { id: string; metadata?: Record<string, string> | null; reversed?: boolean },
    reversed: boolean,
  ): Promise<void> {
    const ours = transfer.metadata?.transferId;
    await tx.query(
      `UPDATE transfers SET stripe_transfer_id = $1, last_error = NULL, updated_at = now(),
         status = CASE WHEN $3 THEN 'reversed' WHEN status = 'reversed' THEN status ELSE 'paid' END
       WHERE stripe_transfer_id = $1 OR ($2::uuid IS NOT NULL AND id = $2::uuid)`,
      [transfer.id, ours && /^[0-9a-f-]{36}$/.test(ours) ? ours : null, reversed],
    );
  }

  private async attempt(transferId: string): Promise<void> {
    const transfer = await this.transfers.findOneByOrFail({ id: transferId });
    const destination = await this.accounts.findOneBy({ userId: transfer.destinationUserId });
    let outcome: { status: TransferStatus; stripeTransferId?: string; error?: string };
    if (!destination || !destination.payoutsEnabled) {
      outcome = {
        status: 'failed',
        error: 'The co-seller has no Stripe payout account ready yet.',
      };
    } else {
      try {
        const created = await this.stripe.createTransfer(
          {
            amount: transfer.amount,
            currency: transfer.currency,
            destination: destination.stripeAccountId,
            transfer_group: transfer.transferGroup,
            metadata: { transferId: transfer.id, purchaseId: transfer.purchaseId },
          },
          { idempotencyKey: `transfer:${transfer.id}:${transfer.paymentAttempt}` },
        );
        outcome = { status: 'paid', stripeTransferId: created.id };
      } catch (error) {
        const known = error instanceof ProblemException;
        if (!known) this.logger.warn({ err: error, transferId }, 'transfer failed');
        outcome = {
          status: 'failed',
          error: known ? error.detail : 'Stripe could not be reached.',
        };
      }
    }
    // A transfer.created event may have marked it paid meanwhile: a pending one only.
    await this.transfers.query(
      `UPDATE transfers SET status = CASE WHEN status = 'pending' THEN $2 ELSE status END,
         stripe_transfer_id = coalesce(stripe_transfer_id, $3), last_error = $4,
         lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE id = $1`,
      [transferId, outcome.status, outcome.stripeTransferId ?? null, outcome.error ?? null],
    );
  }
}

function view(t: TransferEntity): TransferDto {
  return {
    id: t.id,
    purchaseId: t.purchaseId,
    destinationUserId: t.destinationUserId,
    amount: t.amount,
    currency: t.currency,
    shareBps: t.shareBps,
    transferGroup: t.transferGroup,
    status: t.status,
    attempts: t.paymentAttempt,
    lastError: t.lastError,
    stripeTransferId: t.stripeTransferId,
    createdAt: t.createdAt.toISOString(),
  };
}
