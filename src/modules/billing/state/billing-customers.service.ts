import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { BillingCustomerEntity, type Plan } from '../billing.entities.js';
import { StripeGateway } from '../stripe/stripe-gateway.js';

/** A user's Stripe customer (created on first need) and plan. */
@Injectable()
export class BillingCustomers {
  constructor(
    @InjectRepository(BillingCustomerEntity)
    private readonly customers: Repository<BillingCustomerEntity>,
    private readonly stripe: StripeGateway,
  ) {}

  async planOf(userId: string): Promise<Plan> {
    return (await this.customers.findOneBy({ userId }))?.plan ?? 'free';
  }

  /**
   * The user's Stripe customer id, creating the customer once. The idempotency key makes two
   * concurrent first checkouts one customer at Stripe; the row is written only if still missing.
   */
  async stripeCustomerId(userId: string): Promise<string> {
    const existing = await this.customers.findOneBy({ userId });
    if (existing?.stripeCustomerId) return existing.stripeCustomerId;
    const created = await this.stripe.createCustomer(
      { metadata: { userId } },
      { idempotencyKey: `customer:${userId}` },
    );
    await this.customers.query(
      `INSERT INTO billing_customers (user_id, stripe_customer_id) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET stripe_customer_id =
         coalesce(billing_customers.stripe_customer_id, EXCLUDED.stripe_customer_id), updated_at = now()`,
      [userId, created.id],
    );
    return (await this.customers.findOneByOrFail({ userId })).stripeCustomerId!;
  }

  /** Inside a Stripe event's transaction. */
  async setPlan(manager: EntityManager, userId: string, plan: Plan): Promise<void> {
    await manager.query(
      `INSERT INTO billing_customers (user_id, plan) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET plan = EXCLUDED.plan, updated_at = now()`,
      [userId, plan],
    );
  }
}
