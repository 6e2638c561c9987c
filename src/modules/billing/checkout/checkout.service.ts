import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type Stripe from 'stripe';
import type { Repository } from 'typeorm';
import { isUniqueViolation, ProblemException } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { PostsService } from '../../content/index.js';
import { type ReferralAttribution, ReferralPathsService } from '../../sharing/index.js';
import { CheckoutLinkEntity, PayoutAccountEntity } from '../billing.entities.js';
import type {
  CheckoutLinkDto,
  CreateCheckoutLinkDto,
  CreatePlanCheckoutLinkDto,
} from '../billing.dto.js';
import { BillingCustomers } from '../state/billing-customers.service.js';
import { StripeGateway, stripeNotConfigured } from '../stripe/stripe-gateway.js';
import { IDEMPOTENCY_WINDOW_MS, requestHash, uuidFromKey } from './idempotency.js';
import { redirectOnBase } from './redirect-urls.js';

/** The Pro plan: a monthly subscription at this price (minor units). */
export const PRO_PLAN_PRICE = { amount: 900, currency: 'usd' } as const;

/** A purchase's transfer group at Stripe: its charge and every share paid out of it. */
export const transferGroupOf = (purchaseId: string) => `purchase_${purchaseId}`;

/** What a checkout session carries to its events (Stripe metadata: strings only). */
export interface PostCheckoutMetadata {
  kind: 'post';
  purchaseId: string;
  postId: string;
  buyerId: string;
  sellerId: string;
  referralPathId?: string;
  referrerId?: string;
  coSellerShareBps?: string;
}

interface Request {
  buyerId: string;
  idempotencyKey: string | undefined;
  /** What identifies the request for the key: the route and its body. */
  fingerprint: Record<string, unknown>;
}

@Injectable()
export class CheckoutService {
  constructor(
    @InjectRepository(CheckoutLinkEntity) private readonly links: Repository<CheckoutLinkEntity>,
    @InjectRepository(PayoutAccountEntity)
    private readonly payouts: Repository<PayoutAccountEntity>,
    private readonly stripe: StripeGateway,
    private readonly posts: PostsService,
    private readonly referrals: ReferralPathsService,
    private readonly customers: BillingCustomers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A Stripe Checkout Session for a priced post, the caller buying. `cookieReferral` is the
   * gpx_ref cookie /go/{code} set, used when the body names no referralCode.
   */
  async createForPost(
    buyerId: string,
    body: CreateCheckoutLinkDto,
    idempotencyKey: string | undefined,
    cookieReferral: string | undefined,
  ): Promise<CheckoutLinkDto> {
    if (!this.stripe.configured) throw stripeNotConfigured();
    const request = { buyerId, idempotencyKey, fingerprint: { route: 'post', ...body } };
    const replay = await this.replay(request);
    if (replay) return replay;
    const successUrl = redirectOnBase(
      this.config.publicBaseUrl,
      'successUrl',
      body.successUrl,
      '/checkout/success',
    );
    const cancelUrl = redirectOnBase(
      this.config.publicBaseUrl,
      'cancelUrl',
      body.cancelUrl,
      '/checkout/cancel',
    );

    const post = await this.posts.purchaseFacts(body.postId, buyerId);
    if (!post.pricing || post.status !== 'PUBLISHED')
      throw new ProblemException({
        code: 'not_for_sale',
        detail: 'This post has no price: there is nothing to buy.',
      });
    if (post.authorId === buyerId)
      throw new ProblemException({ code: 'not_for_sale', detail: 'This is your own post.' });
    if (post.readable)
      throw new ProblemException({
        code: 'already_entitled',
        detail: 'You already have access to this post.',
      });
    const seller = await this.payouts.findOneBy({ userId: post.authorId });
    if (!seller || seller.status !== 'enabled')
      throw new ProblemException({
        code: 'seller_payouts_not_enabled',
        detail:
          'The author of this post cannot be paid yet (Stripe payouts are not enabled), so it cannot be bought now.',
      });
    const referral = await this.attribution(
      body,
      cookieReferral,
      post.postId,
      buyerId,
      post.authorId,
    );

    const purchaseId = await this.newId('post', buyerId, idempotencyKey);
    const metadata: PostCheckoutMetadata = {
      kind: 'post',
      purchaseId,
      postId: post.postId,
      buyerId,
      sellerId: post.authorId,
      ...(referral && {
        referralPathId: referral.referralPathId,
        referrerId: referral.referrerId,
        coSellerShareBps: String(referral.coSellerShareBps),
      }),
    };
    const { amount, currency, model } = post.pricing;
    const subscription = model === 'subscription';
    // Destination charges: the seller's connected account receives the payment; a referral
    // share is withheld as the application fee and paid on to the co-seller as a transfer in the
    // purchase's transfer group (TransfersService).
    const share = referral ? Math.floor((amount * referral.coSellerShareBps) / 10_000) : 0;
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: subscription ? 'subscription' : 'payment',
      customer: await this.customers.stripeCustomerId(buyerId),
      client_reference_id: buyerId,
      success_url: successUrl,
      cancel_url: cancelUrl,
      metadata: { ...metadata },
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency,
            unit_amount: amount,
            product_data: { name: post.title.slice(0, 250), metadata: { postId: post.postId } },
            ...(subscription ? { recurring: { interval: 'month' as const } } : {}),
          },
        },
      ],
      ...(subscription
        ? {
            subscription_data: {
              metadata: { ...metadata },
              transfer_data: { destination: seller.stripeAccountId },
              ...(referral && referral.coSellerShareBps > 0
                ? { application_fee_percent: referral.coSellerShareBps / 100 }
                : {}),
            },
          }
        : {
            payment_intent_data: {
              metadata: { ...metadata },
              transfer_group: transferGroupOf(purchaseId),
              transfer_data: { destination: seller.stripeAccountId },
              ...(share > 0 ? { application_fee_amount: share } : {}),
            },
          }),
    };
    return this.create(request, { id: purchaseId, kind: 'post', postId: post.postId }, params);
  }

  /** A Stripe Checkout Session for the Pro plan (a monthly subscription). */
  async createForPlan(
    userId: string,
    body: CreatePlanCheckoutLinkDto,
    idempotencyKey: string | undefined,
  ): Promise<CheckoutLinkDto> {
    if (!this.stripe.configured) throw stripeNotConfigured();
    const request = { buyerId: userId, idempotencyKey, fingerprint: { route: 'plan', ...body } };
    const replay = await this.replay(request);
    if (replay) return replay;
    const successUrl = redirectOnBase(
      this.config.publicBaseUrl,
      'successUrl',
      body.successUrl,
      '/checkout/success',
    );
    const cancelUrl = redirectOnBase(
      this.config.publicBaseUrl,
      'cancelUrl',
      body.cancelUrl,
      '/checkout/cancel',
    );
    if ((await this.customers.planOf(userId)) === 'pro')
      throw new ProblemException({
        code: 'already_entitled',
        detail: 'You are on the Pro plan already.',
      });
    const id = await this.newId('plan', userId, idempotencyKey);
    const metadata = { kind: 'plan', purchaseId: id, buyerId: userId };
    return this.create(
      request,
      { id, kind: 'plan', postId: null },
      {
        mode: 'subscription',
        customer: await this.customers.stripeCustomerId(userId),
        client_reference_id: userId,
        success_url: successUrl,
        cancel_url: cancelUrl,
        metadata,
        subscription_data: { metadata },
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: PRO_PLAN_PRICE.currency,
              unit_amount: PRO_PLAN_PRICE.amount,
              recurring: { interval: 'month' },
              product_data: { name: 'GetPaidX Pro' },
            },
          },
        ],
      },
    );
  }

  /**
   * The new link's (and purchase's) id: derived from the key while it is fresh, so a retry after
   * a failure reuses it; random without a key, or when the key's derived id is taken by a link
   * whose 24 hours are over.
   */
  private async newId(kind: string, buyerId: string, key: string | undefined): Promise<string> {
    if (!key) return randomUUID();
    const derived = uuidFromKey(kind, buyerId, key);
    return (await this.links.existsBy({ id: derived })) ? randomUUID() : derived;
  }

  /** The referral path a sale came through: the body's code, else the /go cookie's. */
  private async attribution(
    body: CreateCheckoutLinkDto,
    cookieReferral: string | undefined,
    postId: string,
    buyerId: string,
    sellerId: string,
  ): Promise<ReferralAttribution | null> {
    const code = body.referralCode ?? cookieReferral;
    if (!code) return null;
    const found = await this.referrals.attributionFor(code, postId);
    if (!found && body.referralCode)
      throw ProblemException.validation([
        { field: 'referralCode', message: 'is not a referral link to this post' },
      ]);
    // A buyer cannot earn a share of their own purchase, and a seller owes themselves nothing.
    if (!found || found.referrerId === buyerId || found.referrerId === sellerId) return null;
    return found;
  }

  /**
   * The link an earlier request with the same Idempotency-Key created (within 24 hours), if its
   * body was the same; 409 if it was not. Null: no such request, go on.
   */
  private async replay(request: Request): Promise<CheckoutLinkDto | null> {
    if (!request.idempotencyKey) return null;
    const earlier = await this.links.findOneBy({
      buyerId: request.buyerId,
      idempotencyKey: request.idempotencyKey,
    });
    if (!earlier) return null;
    if (Date.now() - earlier.createdAt.getTime() > IDEMPOTENCY_WINDOW_MS) {
      // Expired: the key is free again.
      await this.links.update(earlier.id, { idempotencyKey: null });
      return null;
    }
    if (earlier.requestHash !== requestHash(request.fingerprint))
      throw new ProblemException({
        code: 'idempotency_key_reused',
        detail:
          'This Idempotency-Key was used in the last 24 hours with a different request. Use a new key.',
      });
    return view(earlier);
  }

  private async create(
    request: Request,
    link: Pick<CheckoutLinkEntity, 'id' | 'kind' | 'postId'>,
    params: Stripe.Checkout.SessionCreateParams,
  ): Promise<CheckoutLinkDto> {
    const session = await this.stripe.createCheckoutSession(params, {
      // The caller's key passed on (scoped to the caller, since keys are per Stripe account);
      // without one, a key of our own so the SDK's network retry cannot create two sessions.
      idempotencyKey: request.idempotencyKey
        ? `checkout:${request.buyerId}:${request.idempotencyKey}`
        : `checkout:${link.id}`,
    });
    const row = this.links.create({
      ...link,
      buyerId: request.buyerId,
      idempotencyKey: request.idempotencyKey ?? null,
      requestHash: requestHash(request.fingerprint),
      checkoutSessionId: session.id,
      url: session.url,
      expiresAt: session.expiresAt,
    });
    try {
      await this.links.insert(row);
    } catch (error) {
      // A concurrent request with the same key got there first (Stripe answered both with the
      // same session, thanks to the shared idempotency key): answer what it stored.
      if (!isUniqueViolation(error)) throw error;
      const replay = await this.replay(request);
      if (replay) return replay;
      throw error;
    }
    return view(row);
  }
}

function view(link: CheckoutLinkEntity): CheckoutLinkDto {
  return {
    url: link.url,
    expiresAt: link.expiresAt.toISOString(),
    checkoutSessionId: link.checkoutSessionId,
  };
}
