import { Logger } from '@nestjs/common';
import Stripe from 'stripe';
import { ProblemException } from '../../../common/index.js';
import type { StripeConfig } from '../../../config/index.js';

export type StripeEvent = Stripe.Event;

/** A call that must not run twice at Stripe: the key Stripe deduplicates it by (24 hours). */
export interface Idempotent {
  idempotencyKey: string;
}

export interface CreatedCheckout {
  id: string;
  url: string;
  expiresAt: Date;
}

/** What Billing keeps of a connected account (Stripe Connect, Express). */
export interface ConnectedAccountState {
  id: string;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  disabledReason: string | null;
  currentlyDue: string[];
  pendingVerification: string[];
}

/**
 * Stripe, as Billing uses it: one small surface (the class is the injection token), the official
 * SDK inside. Every method that needs the secret key answers 503 stripe_not_configured when
 * STRIPE_SECRET_KEY is unset, so only Billing's Stripe routes are affected.
 */
export abstract class StripeGateway {
  abstract readonly configured: boolean;
  abstract createCustomer(
    params: Stripe.CustomerCreateParams,
    options: Idempotent,
  ): Promise<{ id: string }>;
  abstract createCheckoutSession(
    params: Stripe.Checkout.SessionCreateParams,
    options: Idempotent,
  ): Promise<CreatedCheckout>;
  abstract createPortalSession(params: Stripe.BillingPortal.SessionCreateParams): Promise<string>;
  abstract cancelAtPeriodEnd(subscriptionId: string): Promise<Stripe.Subscription>;
  abstract createConnectedAccount(
    params: Stripe.AccountCreateParams,
    options: Idempotent,
  ): Promise<ConnectedAccountState>;
  abstract retrieveAccount(accountId: string): Promise<ConnectedAccountState>;
  abstract createAccountLink(
    params: Stripe.AccountLinkCreateParams,
  ): Promise<{ url: string; expiresAt: Date }>;
  abstract createTransfer(
    params: Stripe.TransferCreateParams,
    options: Idempotent,
  ): Promise<{ id: string }>;
  /**
   * Checks a Stripe event's signature (STRIPE_WEBHOOK_SECRET, 5-minute tolerance) over the raw
   * body and parses it; null when it does not verify.
   */
  abstract verifyEvent(
    rawBody: Buffer,
    signature: string | string[] | undefined,
  ): StripeEvent | null;
  /** Whether events can be verified at all (STRIPE_WEBHOOK_SECRET set). */
  abstract readonly verifiesEvents: boolean;
}

export function stripeNotConfigured(what = 'STRIPE_SECRET_KEY'): ProblemException {
  return new ProblemException({
    code: 'stripe_not_configured',
    detail: `Stripe is not configured on this server (${what} is unset). Nothing was changed.`,
  });
}

/** The state Billing keeps, from an account object (an API answer or an account.updated event). */
export function accountState(account: Stripe.Account): ConnectedAccountState {
  return {
    id: account.id,
    chargesEnabled: account.charges_enabled ?? false,
    payoutsEnabled: account.payouts_enabled ?? false,
    detailsSubmitted: account.details_submitted ?? false,
    disabledReason: account.requirements?.disabled_reason ?? null,
    currentlyDue: account.requirements?.currently_due ?? [],
    pendingVerification: account.requirements?.pending_verification ?? [],
  };
}

/** The official SDK. Errors from Stripe become 502 stripe_error, with Stripe's message only. */
export class SdkStripeGateway extends StripeGateway {
  private readonly logger = new Logger('Stripe');
  private readonly client: Stripe | null;
  readonly configured: boolean;
  readonly verifiesEvents: boolean;

  constructor(private readonly config: StripeConfig) {
    super();
    this.configured = !!config.secretKey;
    this.verifiesEvents = !!config.webhookSecret;
    this.client = config.secretKey
      ? new Stripe(config.secretKey, {
          ...(config.apiBase ?? {}),
          maxNetworkRetries: 1,
          timeout: 20_000,
          telemetry: false,
          appInfo: { name: 'GetPaidX API' },
        })
      : null;
  }

  private stripe(): Stripe {
    if (!this.client) throw stripeNotConfigured();
    return this.client;
  }

  private async call<T>(run: (stripe: Stripe) => Promise<T>): Promise<T> {
    const stripe = this.stripe();
    try {
      return await run(stripe);
    } catch (error) {
      if (error instanceof Stripe.errors.StripeError) {
        // What identifies the failure at Stripe, never the request or the key.
        this.logger.warn(
          {
            stripeError: {
              type: error.type,
              code: error.code,
              status: error.statusCode,
              requestId: error.requestId,
            },
          },
          'Stripe request failed',
        );
        throw new ProblemException({
          code: 'stripe_error',
          // Stripe's own message says what it refused; an authentication error's would quote
          // (part of) the key, so it gets a message of our own.
          detail:
            error instanceof Stripe.errors.StripeAuthenticationError
              ? 'Stripe refused this server’s API key.'
              : `Stripe refused the request: ${error.message}`.slice(0, 500),
        });
      }
      throw error;
    }
  }

  createCustomer(params: Stripe.CustomerCreateParams, options: Idempotent) {
    return this.call(async (s) => {
      const customer = await s.customers.create(params, options);
      return { id: customer.id };
    });
  }

  createCheckoutSession(params: Stripe.Checkout.SessionCreateParams, options: Idempotent) {
    return this.call(async (s) => {
      const session = await s.checkout.sessions.create(params, options);
      if (!session.url) throw new Error('Stripe returned a Checkout Session without a URL');
      return { id: session.id, url: session.url, expiresAt: new Date(session.expires_at * 1000) };
    });
  }

  createPortalSession(params: Stripe.BillingPortal.SessionCreateParams) {
    return this.call(async (s) => (await s.billingPortal.sessions.create(params)).url);
  }

  cancelAtPeriodEnd(subscriptionId: string) {
    return this.call((s) =>
      s.subscriptions.update(
        subscriptionId,
        { cancel_at_period_end: true },
        // The same cancellation twice is one cancellation.
        { idempotencyKey: `cancel-at-period-end:${subscriptionId}` },
      ),
    );
  }

  createConnectedAccount(params: Stripe.AccountCreateParams, options: Idempotent) {
    return this.call(async (s) => accountState(await s.accounts.create(params, options)));
  }

  retrieveAccount(accountId: string) {
    return this.call(async (s) => accountState(await s.accounts.retrieve(accountId)));
  }

  createAccountLink(params: Stripe.AccountLinkCreateParams) {
    return this.call(async (s) => {
      const link = await s.accountLinks.create(params);
      return { url: link.url, expiresAt: new Date(link.expires_at * 1000) };
    });
  }

  createTransfer(params: Stripe.TransferCreateParams, options: Idempotent) {
    return this.call(async (s) => ({ id: (await s.transfers.create(params, options)).id }));
  }

  verifyEvent(rawBody: Buffer, signature: string | string[] | undefined): StripeEvent | null {
    if (!this.config.webhookSecret) throw stripeNotConfigured('STRIPE_WEBHOOK_SECRET');
    if (!signature) return null;
    // Verifying needs no API key: a server may take events before it makes calls.
    const webhooks = (this.client ?? new Stripe('sk_test_unused', { telemetry: false })).webhooks;
    try {
      return webhooks.constructEvent(rawBody, signature, this.config.webhookSecret);
    } catch {
      return null;
    }
  }
}
