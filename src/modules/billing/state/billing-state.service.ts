import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { BillingSubscriptionEntity, PayoutAccountEntity } from '../billing.entities.js';
import type { BillingStateDto } from '../billing.dto.js';
import { AiCredits } from './ai-credits.service.js';
import { BillingCustomers } from './billing-customers.service.js';

@Injectable()
export class BillingStateService {
  constructor(
    @InjectRepository(PayoutAccountEntity)
    private readonly payouts: Repository<PayoutAccountEntity>,
    @InjectRepository(BillingSubscriptionEntity)
    private readonly subscriptions: Repository<BillingSubscriptionEntity>,
    private readonly customers: BillingCustomers,
    private readonly credits: AiCredits,
  ) {}

  /** GET /api/billing: answered from Billing's own tables, so it works without Stripe. */
  async get(userId: string): Promise<BillingStateDto> {
    const payout = await this.payouts.findOneBy({ userId });
    const counts: { mine: string; theirs: string }[] = await this.subscriptions.query(
      `SELECT count(*) FILTER (WHERE buyer_id = $1) AS mine, count(*) FILTER (WHERE seller_id = $1) AS theirs
         FROM billing_subscriptions
        WHERE kind = 'post' AND status IN ('active', 'trialing', 'past_due') AND (buyer_id = $1 OR seller_id = $1)`,
      [userId],
    );
    return {
      plan: await this.customers.planOf(userId),
      aiCredits: {
        balance: await this.credits.aiCreditBalance(userId),
        monthlyAllowance: await this.credits.monthlyAllowance(userId),
      },
      payouts: {
        status: payout?.status ?? 'incomplete',
        chargesEnabled: payout?.chargesEnabled ?? false,
        ready: payout?.status === 'enabled',
      },
      subscriptions: {
        active: Number(counts[0]?.mine ?? 0),
        activeSubscribers: Number(counts[0]?.theirs ?? 0),
      },
    };
  }
}
