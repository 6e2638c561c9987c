import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { Clock } from '../../../common/clock.js';
import { ProblemException } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { PayoutAccountEntity, type PayoutStatus } from '../billing.entities.js';
import type { OnboardingLinkDto, PayoutsDto } from '../billing.dto.js';
import {
  type ConnectedAccountState,
  StripeGateway,
  stripeNotConfigured,
} from '../stripe/stripe-gateway.js';

/**
 * Payout readiness from a connected account's state:
 * - enabled: Stripe accepts charges for it and pays it out;
 * - blocked: Stripe disabled it for a reason the seller cannot fix by sending more (rejected,
 *   listed, paused by the platform);
 * - pending_review: everything was sent and Stripe is checking it;
 * - incomplete: onboarding unfinished, or Stripe needs more (requirementsDue says what).
 */
export function payoutStatusOf(state: ConnectedAccountState): PayoutStatus {
  if (state.chargesEnabled && state.payoutsEnabled) return 'enabled';
  const reason = state.disabledReason ?? '';
  if (reason.startsWith('rejected') || reason === 'listed' || reason === 'platform_paused')
    return 'blocked';
  if (
    reason === 'under_review' ||
    reason === 'requirements.pending_verification' ||
    (state.detailsSubmitted && state.currentlyDue.length === 0)
  )
    return 'pending_review';
  return 'incomplete';
}

@Injectable()
export class PayoutsService {
  constructor(
    @InjectRepository(PayoutAccountEntity)
    private readonly accounts: Repository<PayoutAccountEntity>,
    private readonly stripe: StripeGateway,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Creates the seller's Express account once (an idempotency key per user makes a concurrent
   * second request the same account), then a fresh Account Link into Stripe's onboarding.
   */
  async onboardingLink(userId: string, country: string): Promise<OnboardingLinkDto> {
    if (!this.stripe.configured) throw stripeNotConfigured();
    let account = await this.accounts.findOneBy({ userId });
    if (account && account.country !== country)
      throw ProblemException.validation([
        {
          field: 'country',
          message: `must be ${account.country}: your payout account exists already and its country is fixed`,
        },
      ]);
    if (!account) {
      const created = await this.stripe.createConnectedAccount(
        {
          type: 'express',
          country,
          metadata: { userId },
          capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
        },
        { idempotencyKey: `connected-account:${userId}:${country}` },
      );
      await this.accounts.query(
        `INSERT INTO payout_accounts (user_id, stripe_account_id, country, status, charges_enabled,
           payouts_enabled, requirements_due, state_as_of)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id) DO NOTHING`,
        [
          userId,
          created.id,
          country,
          payoutStatusOf(created),
          created.chargesEnabled,
          created.payoutsEnabled,
          created.currentlyDue,
          this.clock.now(),
        ],
      );
      account = await this.accounts.findOneByOrFail({ userId });
    }
    const base = this.config.publicBaseUrl;
    return this.stripe
      .createAccountLink({
        account: account.stripeAccountId,
        type: 'account_onboarding',
        refresh_url: `${base}/payouts/onboarding/refresh`,
        return_url: `${base}/payouts/onboarding/return`,
      })
      .then((link) => ({ url: link.url, expiresAt: link.expiresAt.toISOString() }));
  }

  /** The stored state (from account.updated events), or Stripe's current one when `refresh`. */
  async get(userId: string, refresh: boolean): Promise<PayoutsDto> {
    let account = await this.accounts.findOneBy({ userId });
    if (refresh && account) {
      if (!this.stripe.configured) throw stripeNotConfigured();
      const state = await this.stripe.retrieveAccount(account.stripeAccountId);
      // Stripe's answer now is the newest state there is: applied whatever is held.
      await this.accounts.manager.transaction((tx) =>
        this.apply(tx, state, this.clock.now(), { fresh: true }),
      );
      account = await this.accounts.findOneByOrFail({ userId });
    }
    if (!account)
      return {
        status: 'incomplete',
        chargesEnabled: false,
        payoutsEnabled: false,
        requirementsDue: [],
        country: null,
        onboardingStarted: false,
        asOf: null,
      };
    return {
      status: account.status,
      chargesEnabled: account.chargesEnabled,
      payoutsEnabled: account.payoutsEnabled,
      requirementsDue: account.requirementsDue,
      country: account.country,
      onboardingStarted: true,
      asOf: account.stateAsOf.toISOString(),
    };
  }

  /**
   * Applies an account's state as Stripe reported it at `asOf`, unless what is held is newer (an
   * event delivered late must not undo a later one). False: not ours, or stale.
   */
  async apply(
    tx: EntityManager,
    state: ConnectedAccountState,
    asOf: Date,
    options: { fresh?: boolean } = {},
  ): Promise<boolean> {
    const result: unknown = await tx.query(
      `UPDATE payout_accounts SET status = $2, charges_enabled = $3, payouts_enabled = $4,
         requirements_due = $5, state_as_of = greatest(state_as_of, $6), updated_at = now()
       WHERE stripe_account_id = $1 AND ($7 OR state_as_of <= $6) RETURNING user_id`,
      [
        state.id,
        payoutStatusOf(state),
        state.chargesEnabled,
        state.payoutsEnabled,
        state.currentlyDue,
        asOf,
        options.fresh ?? false,
      ],
    );
    return affectedRows(result).length > 0;
  }
}

/** node-postgres through TypeORM answers UPDATE … RETURNING as [rows, count], INSERT as rows. */
export function affectedRows<T = Record<string, unknown>>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return (Array.isArray(result) ? result : []) as T[];
}
