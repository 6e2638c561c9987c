import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type Stripe from 'stripe';
import type { EntityManager, Repository } from 'typeorm';
import { Clock } from '../../../common/clock.js';
import { type Page, pageByCreation, ProblemException } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { PostEntitlements } from '../../content/index.js';
import { BillingSubscriptionEntity, type CheckoutKind } from '../billing.entities.js';
import type { PortalSessionDto, SubscriptionDto } from '../billing.dto.js';
import { redirectOnBase } from '../checkout/redirect-urls.js';
import { affectedRows } from '../payouts/payouts.service.js';
import { BillingCustomers } from '../state/billing-customers.service.js';
import { StripeGateway, stripeNotConfigured } from '../stripe/stripe-gateway.js';

/** Stripe statuses under which a subscriber keeps reading (past_due: Stripe is still retrying). */
const ACCESS_STATUSES = new Set(['active', 'trialing', 'past_due']);
/** Statuses after which the subscription gives nothing more. */
const ENDED_STATUSES = new Set(['canceled', 'unpaid', 'incomplete_expired']);

/** What a subscription event says, in the shape Billing keeps. */
export interface SubscriptionNews {
  stripeSubscriptionId: string;
  status: string;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  endedAt: Date | null;
  metadata: Record<string, string>;
}

/** From a Subscription object; the period end lives on its items since API 2025-03-31. */
export function subscriptionNews(sub: Stripe.Subscription): SubscriptionNews {
  const legacy = (sub as unknown as { current_period_end?: number }).current_period_end;
  const itemEnds = (sub.items?.data ?? [])
    .map((i) => i.current_period_end)
    .filter((e) => typeof e === 'number');
  const end = itemEnds.length ? Math.max(...itemEnds) : legacy;
  return {
    stripeSubscriptionId: sub.id,
    status: sub.status,
    currentPeriodEnd: end ? new Date(end * 1000) : null,
    cancelAtPeriodEnd: sub.cancel_at_period_end ?? false,
    endedAt: sub.ended_at ? new Date(sub.ended_at * 1000) : null,
    metadata: sub.metadata ?? {},
  };
}

@Injectable()
export class SubscriptionsService {
  constructor(
    @InjectRepository(BillingSubscriptionEntity)
    private readonly subscriptions: Repository<BillingSubscriptionEntity>,
    private readonly stripe: StripeGateway,
    private readonly entitlements: PostEntitlements,
    private readonly customers: BillingCustomers,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The caller's subscriptions to posts, newest first. */
  list(buyerId: string, page: { limit?: number; cursor?: string }): Promise<Page<SubscriptionDto>> {
    const qb = this.subscriptions
      .createQueryBuilder('s')
      .where("s.buyer_id = :buyerId AND s.kind = 'post'", { buyerId });
    return pageByCreation(qb, page, view);
  }

  /** Cancels at the period end: access lasts until then (the entitlement is left as it is). */
  async cancel(buyerId: string, id: string): Promise<SubscriptionDto> {
    if (!this.stripe.configured) throw stripeNotConfigured();
    const row = await this.subscriptions.findOneBy({ id, buyerId });
    if (!row) throw ProblemException.notFound('No such subscription of yours.');
    if (ENDED_STATUSES.has(row.status))
      throw ProblemException.conflict(`This subscription has ended (${row.status}).`);
    const news = subscriptionNews(await this.stripe.cancelAtPeriodEnd(row.stripeSubscriptionId));
    await this.subscriptions.manager.transaction((tx) =>
      this.apply(tx, news, this.clock.now(), null),
    );
    return view(await this.subscriptions.findOneByOrFail({ id }));
  }

  async portalSession(userId: string, returnUrl: string | undefined): Promise<PortalSessionDto> {
    if (!this.stripe.configured) throw stripeNotConfigured();
    const url = redirectOnBase(
      this.config.publicBaseUrl,
      'returnUrl',
      returnUrl,
      '/settings/billing',
    );
    const customer = await this.customers.stripeCustomerId(userId);
    return { url: await this.stripe.createPortalSession({ customer, return_url: url }) };
  }

  /**
   * Creates the row when a checkout completes (unless a subscription event created it first):
   * `at` is the checkout event's time, so any subscription event after it still applies.
   */
  async ensure(
    tx: EntityManager,
    row: {
      stripeSubscriptionId: string;
      kind: CheckoutKind;
      buyerId: string;
      sellerId: string | null;
      postId: string | null;
      at: Date;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO billing_subscriptions (stripe_subscription_id, kind, buyer_id, seller_id, post_id, status, state_as_of)
       VALUES ($1, $2, $3, $4, $5, 'active', $6) ON CONFLICT (stripe_subscription_id) DO NOTHING`,
      [row.stripeSubscriptionId, row.kind, row.buyerId, row.sellerId, row.postId, row.at],
    );
  }

  /**
   * Applies a subscription's state as Stripe reported it at `asOf`, unless what is held is newer,
   * and its effect: a post subscription's entitlement runs to the period end (and ends when the
   * subscription does); a plan subscription sets the plan. `eventType` is the Stripe event's type
   * (null for the state Stripe answered a request with).
   */
  async apply(
    tx: EntityManager,
    news: SubscriptionNews,
    asOf: Date,
    eventType: string | null,
  ): Promise<void> {
    const meta = news.metadata;
    const kind = meta.kind === 'plan' || meta.kind === 'post' ? meta.kind : null;
    if (kind && meta.buyerId && (kind === 'plan' || meta.postId))
      await this.ensure(tx, {
        stripeSubscriptionId: news.stripeSubscriptionId,
        kind,
        buyerId: meta.buyerId,
        sellerId: meta.sellerId ?? null,
        postId: meta.postId ?? null,
        at: new Date(0),
      });
    // Deletion is final: it applies whatever was held, however late it arrives.
    const deleted = eventType === 'customer.subscription.deleted';
    const status = deleted ? 'canceled' : news.status;
    const updated = affectedRows<{ kind: CheckoutKind; buyer_id: string; post_id: string | null }>(
      await tx.query(
        `UPDATE billing_subscriptions SET status = $2, current_period_end = coalesce($3, current_period_end),
           cancel_at_period_end = $4, state_as_of = greatest(state_as_of, $5), updated_at = now()
         WHERE stripe_subscription_id = $1 AND ($6 OR (state_as_of <= $5 AND status <> 'canceled'))
         RETURNING kind, buyer_id, post_id`,
        [
          news.stripeSubscriptionId,
          status,
          news.currentPeriodEnd,
          news.cancelAtPeriodEnd,
          asOf,
          deleted,
        ],
      ),
    );
    const row = updated[0];
    if (!row) return; // not ours, or older than what is held
    await this.effect(tx, row, status, news.currentPeriodEnd, news.endedAt ?? asOf);
  }

  /** invoice.paid: the period paid for (its end) extends access. */
  async paid(
    tx: EntityManager,
    stripeSubscriptionId: string,
    periodEnd: Date | null,
    asOf: Date,
  ): Promise<void> {
    const rows = affectedRows<{ kind: CheckoutKind; buyer_id: string; post_id: string | null }>(
      await tx.query(
        `UPDATE billing_subscriptions SET
           current_period_end = CASE WHEN $2::timestamptz IS NULL THEN current_period_end
                                     ELSE greatest(current_period_end, $2) END,
           status = CASE WHEN state_as_of <= $3 AND status IN ('past_due', 'incomplete', 'unpaid') THEN 'active' ELSE status END,
           updated_at = now()
         WHERE stripe_subscription_id = $1 RETURNING kind, buyer_id, post_id`,
        [stripeSubscriptionId, periodEnd, asOf],
      ),
    );
    const row = rows[0];
    if (row && periodEnd) await this.effect(tx, row, 'active', periodEnd, asOf);
  }

  /** Whether the subscription is over (its deletion may arrive before its checkout's event). */
  async hasEnded(tx: EntityManager, stripeSubscriptionId: string): Promise<boolean> {
    const rows: { status: string }[] = await tx.query(
      'SELECT status FROM billing_subscriptions WHERE stripe_subscription_id = $1',
      [stripeSubscriptionId],
    );
    return rows.length > 0 && ENDED_STATUSES.has(rows[0].status);
  }

  /** invoice.payment_failed: past due, unless newer news is held. Access stays while Stripe retries. */
  async paymentFailed(tx: EntityManager, stripeSubscriptionId: string, asOf: Date): Promise<void> {
    await tx.query(
      `UPDATE billing_subscriptions SET status = 'past_due', state_as_of = $2, updated_at = now()
        WHERE stripe_subscription_id = $1 AND state_as_of <= $2 AND status IN ('active', 'trialing')`,
      [stripeSubscriptionId, asOf],
    );
  }

  private async effect(
    tx: EntityManager,
    row: { kind: CheckoutKind; buyer_id: string; post_id: string | null },
    status: string,
    periodEnd: Date | null,
    endedAt: Date,
  ): Promise<void> {
    if (row.kind === 'plan') {
      if (ACCESS_STATUSES.has(status)) await this.customers.setPlan(tx, row.buyer_id, 'pro');
      else if (ENDED_STATUSES.has(status)) await this.customers.setPlan(tx, row.buyer_id, 'free');
      return;
    }
    if (!row.post_id) return;
    if (ACCESS_STATUSES.has(status) && periodEnd)
      await this.entitlements.grant(tx, {
        postId: row.post_id,
        userId: row.buyer_id,
        until: periodEnd,
      });
    else if (ENDED_STATUSES.has(status))
      await this.entitlements.endAt(tx, { postId: row.post_id, userId: row.buyer_id, at: endedAt });
  }
}

function view(s: BillingSubscriptionEntity): SubscriptionDto {
  return {
    id: s.id,
    postId: s.postId,
    status: s.status,
    currentPeriodEnd: s.currentPeriodEnd?.toISOString() ?? null,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    createdAt: s.createdAt.toISOString(),
  };
}
