import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Stripe from 'stripe';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainEvents } from '../../../events/index.js';
import { PostEntitlements } from '../../content/index.js';
import { accountState, type StripeEvent } from '../stripe/stripe-gateway.js';
import { BillingCustomers } from '../state/billing-customers.service.js';
import { PayoutsService, affectedRows } from '../payouts/payouts.service.js';
import { SubscriptionsService, subscriptionNews } from '../subscriptions/subscriptions.service.js';
import { TransfersService } from '../transfers/transfers.service.js';

/**
 * Applies verified Stripe events. Each event runs in one transaction that first records its id
 * in stripe_events: a replay finds the id taken and changes nothing, and an effect that fails
 * rolls the id back with it, so Stripe's redelivery applies it again. State rows remember when
 * Stripe produced what they hold (the event's `created`), and older news does not overwrite
 * newer. Unknown types are acknowledged and ignored.
 */
@Injectable()
export class StripeEventsService {
  private readonly logger = new Logger(StripeEventsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: DomainEvents,
    private readonly entitlements: PostEntitlements,
    private readonly customers: BillingCustomers,
    private readonly payouts: PayoutsService,
    private readonly subscriptions: SubscriptionsService,
    private readonly transfers: TransfersService,
  ) {}

  async handle(event: StripeEvent): Promise<{ duplicate: boolean }> {
    const transfersToPay: string[] = [];
    const duplicate = await this.db.transaction(async (tx) => {
      const fresh = affectedRows(
        await tx.query(
          `INSERT INTO stripe_events (id, type, stripe_created_at) VALUES ($1, $2, $3)
           ON CONFLICT (id) DO NOTHING RETURNING id`,
          [event.id, event.type, new Date(event.created * 1000)],
        ),
      );
      if (fresh.length === 0) return true;
      await this.apply(tx, event, transfersToPay);
      return false;
    });
    // Stripe is called once the purchase has committed (never inside the transaction); a
    // failure leaves the transfer failed for POST /api/transfers/{id}/retry.
    for (const id of transfersToPay)
      // The event is applied and answered 200 whatever happens here: the queue loop pays later.
      await this.transfers
        .payNew(id)
        .catch((err: unknown) =>
          this.logger.warn({ err, transferId: id }, 'transfer left for the queue'),
        );
    return { duplicate };
  }

  private async apply(
    tx: EntityManager,
    event: StripeEvent,
    transfersToPay: string[],
  ): Promise<void> {
    const at = new Date(event.created * 1000);
    // A plain string: the SDK's union of every event type is not for listing here.
    const type: string = event.type;
    const object: unknown = event.data.object;
    switch (type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
        return this.checkoutCompleted(tx, object as Stripe.Checkout.Session, at, transfersToPay);
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
        return this.subscriptions.apply(
          tx,
          subscriptionNews(object as Stripe.Subscription),
          at,
          type,
        );
      case 'invoice.paid':
        return this.invoicePaid(tx, object as Stripe.Invoice, at, transfersToPay);
      case 'invoice.payment_failed': {
        const subscriptionId = subscriptionOfInvoice(object as Stripe.Invoice);
        if (subscriptionId) await this.subscriptions.paymentFailed(tx, subscriptionId, at);
        return;
      }
      case 'account.updated':
        await this.payouts.apply(tx, accountState(object as Stripe.Account), at);
        return;
      case 'transfer.created':
        return this.transfers.applyStripeTransfer(tx, object as Stripe.Transfer, false);
      case 'transfer.reversed':
        return this.transfers.applyStripeTransfer(tx, object as Stripe.Transfer, true);
      default:
        this.logger.debug({ type, id: event.id }, 'Stripe event of a type Billing ignores');
    }
  }

  /**
   * A paid checkout of a post: the purchase, the buyer's entitlement (for good, or to the
   * subscription's period end), the co-seller's share, and purchase.succeeded — all in the
   * event's transaction. A plan checkout moves the user to Pro.
   */
  private async checkoutCompleted(
    tx: EntityManager,
    session: Stripe.Checkout.Session,
    at: Date,
    transfersToPay: string[],
  ): Promise<void> {
    const meta = session.metadata ?? {};
    // Delayed payment methods complete the session unpaid; async_payment_succeeded follows.
    if (session.mode === 'payment' && session.payment_status !== 'paid') return;
    const subscriptionId =
      typeof session.subscription === 'string' ? session.subscription : session.subscription?.id;
    if (meta.kind === 'plan' && meta.buyerId) {
      if (subscriptionId)
        await this.subscriptions.ensure(tx, {
          stripeSubscriptionId: subscriptionId,
          kind: 'plan',
          buyerId: meta.buyerId,
          sellerId: null,
          postId: null,
          at,
        });
      await this.customers.setPlan(tx, meta.buyerId, 'pro');
      return;
    }
    if (meta.kind !== 'post' || !meta.purchaseId || !meta.postId || !meta.buyerId || !meta.sellerId)
      return;
    const mode = session.mode === 'subscription' ? 'subscription' : 'payment';
    const amount = session.amount_total ?? 0;
    const currency = session.currency ?? 'usd';
    const inserted = affectedRows(
      await tx.query(
        `INSERT INTO purchases (id, buyer_id, seller_id, post_id, mode, amount, currency, checkout_session_id,
           stripe_subscription_id, referral_path_id)
         SELECT $1::uuid, $2::uuid, $3::uuid, p.id, $5::text, $6::int, $7::text, $8::text, $9::text, $10::uuid
           FROM (SELECT $4::uuid AS id) wanted
           LEFT JOIN posts p ON p.id = wanted.id
         ON CONFLICT DO NOTHING RETURNING id, post_id`,
        [
          meta.purchaseId,
          meta.buyerId,
          meta.sellerId,
          meta.postId,
          mode,
          amount,
          currency,
          session.id,
          subscriptionId ?? null,
          meta.referralPathId ?? null,
        ],
      ),
    );
    if (inserted.length === 0) return; // this checkout was applied already
    const postExists = (inserted[0] as { post_id: string | null }).post_id !== null;
    if (subscriptionId)
      await this.subscriptions.ensure(tx, {
        stripeSubscriptionId: subscriptionId,
        kind: 'post',
        buyerId: meta.buyerId,
        sellerId: meta.sellerId,
        postId: postExists ? meta.postId : null,
        at,
      });
    if (postExists) {
      if (mode === 'payment') {
        await this.entitlements.grant(tx, {
          postId: meta.postId,
          userId: meta.buyerId,
          until: null,
        });
      } else if (subscriptionId && !(await this.subscriptions.hasEnded(tx, subscriptionId))) {
        // The subscription's own events set the exact period end; until one arrives, a month
        // and a day from now (a monthly price), so the buyer reads at once. Unless its deletion
        // arrived first: then there is nothing left to read.
        await this.entitlements.grant(tx, {
          postId: meta.postId,
          userId: meta.buyerId,
          until: new Date(at.getTime() + 32 * 24 * 60 * 60 * 1000),
        });
      }
    }
    const shareBps = Number(meta.coSellerShareBps ?? 0);
    if (meta.referrerId && Number.isInteger(shareBps) && shareBps > 0) {
      const transferId = await this.transfers.record(tx, {
        purchaseId: meta.purchaseId,
        sellerId: meta.sellerId,
        destinationUserId: meta.referrerId,
        referralPathId: meta.referralPathId ?? null,
        shareBps,
        purchaseAmount: amount,
        currency,
      });
      if (transferId) transfersToPay.push(transferId);
    }
    await this.events.record(
      tx,
      'purchase.succeeded',
      {
        purchaseId: meta.purchaseId,
        postId: meta.postId,
        buyerId: meta.buyerId,
        sellerId: meta.sellerId,
        amount,
        currency,
        mode,
        referralPathId: meta.referralPathId ?? null,
      },
      { recipients: [meta.sellerId, meta.buyerId] },
    );
  }

  /**
   * A paid invoice extends the subscription's access to the period it paid for; a renewal of a
   * post subscription bought through a referral path also owes the co-seller their share of it
   * (the first invoice's share came with the checkout).
   */
  private async invoicePaid(
    tx: EntityManager,
    invoice: Stripe.Invoice,
    at: Date,
    transfersToPay: string[],
  ): Promise<void> {
    const subscriptionId = subscriptionOfInvoice(invoice);
    if (!subscriptionId) return;
    const ends = (invoice.lines?.data ?? [])
      .map((line) => line.period?.end)
      .filter((e): e is number => typeof e === 'number');
    await this.subscriptions.paid(
      tx,
      subscriptionId,
      ends.length ? new Date(Math.max(...ends) * 1000) : null,
      at,
    );
    if (invoice.billing_reason !== 'subscription_cycle' || !invoice.id) return;
    const meta = invoice.parent?.subscription_details?.metadata ?? {};
    const shareBps = Number(meta.coSellerShareBps ?? 0);
    if (!meta.referrerId || !Number.isInteger(shareBps) || shareBps <= 0) return;
    const [purchase] = affectedRows<{
      id: string;
      seller_id: string;
      referral_path_id: string | null;
    }>(
      await tx.query(
        'SELECT id, seller_id, referral_path_id FROM purchases WHERE stripe_subscription_id = $1',
        [subscriptionId],
      ),
    );
    if (!purchase) return;
    const transferId = await this.transfers.record(tx, {
      purchaseId: purchase.id,
      sellerId: purchase.seller_id,
      destinationUserId: meta.referrerId,
      referralPathId: purchase.referral_path_id,
      shareBps,
      purchaseAmount: invoice.amount_paid,
      currency: invoice.currency,
      source: invoice.id,
    });
    if (transferId) transfersToPay.push(transferId);
  }
}

/** The subscription an invoice bills: under `parent` since API 2025-03-31, top-level before. */
function subscriptionOfInvoice(invoice: Stripe.Invoice): string | null {
  const fromParent = invoice.parent?.subscription_details?.subscription;
  const legacy = (invoice as unknown as { subscription?: string | { id: string } | null })
    .subscription;
  const value = fromParent ?? legacy;
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}
