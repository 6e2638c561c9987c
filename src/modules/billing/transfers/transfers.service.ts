import { Injectable, Logger } from '@nestjs/common';
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
  /** The purchase's amount; the share is floor(amount × bps / 10000). */
  purchaseAmount: number;
  currency: string;
}

/**
 * Co-seller shares: recorded in the purchase's transaction, paid as a Stripe transfer after it
 * commits. Each attempt uses the idempotency key transfer:{id}:{attempt}, so a repeated request
 * of one attempt is one transfer at Stripe, and a retry (a new attempt) is a new request.
 */
@Injectable()
export class TransfersService {
  private readonly logger = new Logger(TransfersService.name);

  constructor(
    @InjectRepository(TransferEntity) private readonly transfers: Repository<TransferEntity>,
    @InjectRepository(PayoutAccountEntity)
    private readonly accounts: Repository<PayoutAccountEntity>,
    private readonly stripe: StripeGateway,
  ) {}

  /** Inside the purchase's transaction; the id of the transfer to pay, or null when nothing is owed. */
  async record(tx: EntityManager, share: ShareOwed): Promise<string | null> {
    const amount = Math.floor((share.purchaseAmount * share.shareBps) / 10_000);
    if (amount <= 0) return null;
    const rows = affectedRows<{ id: string }>(
      await tx.query(
        `INSERT INTO transfers (purchase_id, seller_id, destination_user_id, referral_path_id, share_bps,
           amount, currency, transfer_group)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (purchase_id, destination_user_id) DO NOTHING RETURNING id`,
        [
          share.purchaseId,
          share.sellerId,
          share.destinationUserId,
          share.referralPathId,
          share.shareBps,
          amount,
          share.currency,
          transferGroupOf(share.purchaseId),
        ],
      ),
    );
    return rows[0]?.id ?? null;
  }

  /** First attempt, right after the purchase committed. A failure is recorded, not thrown. */
  async payNew(transferId: string): Promise<void> {
    const claimed = affectedRows<{ attempts: number }>(
      await this.transfers.query(
        `UPDATE transfers SET attempts = attempts + 1, updated_at = now()
          WHERE id = $1 AND status = 'pending' AND attempts = 0 RETURNING attempts`,
        [transferId],
      ),
    );
    if (claimed[0]) await this.attempt(transferId, claimed[0].attempts);
  }

  /** POST /api/transfers/{id}/retry: a failed transfer of the caller's, once more. */
  async retry(sellerId: string, transferId: string): Promise<TransferDto> {
    if (!this.stripe.configured) throw stripeNotConfigured();
    const transfer = await this.transfers.findOneBy({ id: transferId, sellerId });
    if (!transfer) throw ProblemException.notFound('No such transfer of yours.');
    // Claimed atomically: two concurrent retries make one attempt.
    const claimed = affectedRows<{ attempts: number }>(
      await this.transfers.query(
        `UPDATE transfers SET status = 'pending', attempts = attempts + 1, last_error = NULL, updated_at = now()
          WHERE id = $1 AND status = 'failed' RETURNING attempts`,
        [transferId],
      ),
    );
    if (!claimed[0])
      throw ProblemException.conflict(
        `Only a failed transfer can be retried; this one is ${transfer.status}.`,
      );
    await this.attempt(transferId, claimed[0].attempts);
    return view(await this.transfers.findOneByOrFail({ id: transferId }));
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

  private async attempt(transferId: string, attempt: number): Promise<void> {
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
          { idempotencyKey: `transfer:${transfer.id}:${attempt}` },
        );
        outcome = { status: 'paid', stripeTransferId: created.id };
      } catch (error) {
        const message =
          error instanceof ProblemException ? error.detail : 'Stripe could not be reached.';
        if (!(error instanceof ProblemException))
          this.logger.warn({ err: error, transferId }, 'transfer failed');
        outcome = { status: 'failed', error: message };
      }
    }
    await this.transfers.query(
      `UPDATE transfers SET status = CASE WHEN status = 'pending' THEN $2 ELSE status END,
         stripe_transfer_id = coalesce(stripe_transfer_id, $3), last_error = $4, updated_at = now()
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
    attempts: t.attempts,
    lastError: t.lastError,
    stripeTransferId: t.stripeTransferId,
    createdAt: t.createdAt.toISOString(),
  };
}
