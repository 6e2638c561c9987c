import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { Clock } from '../../../common/clock.js';
import { AiCreditSpendEntity, type Plan } from '../billing.entities.js';
import { BillingCustomers } from './billing-customers.service.js';

/**
 * AI credits: each calendar month (UTC) a user may spend their plan's allowance on AI features
 * (Workspace's AI steps, AI-styled QR art): Free 50, Pro 1000. Nothing carries over; upgrading
 * to Pro raises the allowance at once. Exported for Workspace.
 */
export const AI_CREDIT_ALLOWANCE: Readonly<Record<Plan, number>> = { free: 50, pro: 1000 };

@Injectable()
export class AiCredits {
  constructor(
    @InjectRepository(AiCreditSpendEntity)
    private readonly spends: Repository<AiCreditSpendEntity>,
    private readonly customers: BillingCustomers,
    private readonly clock: Clock,
  ) {}

  /** Credits left this month: the plan's allowance minus what was spent since the month began. */
  async aiCreditBalance(userId: string): Promise<number> {
    const allowance = AI_CREDIT_ALLOWANCE[await this.customers.planOf(userId)];
    return Math.max(0, allowance - (await this.spentThisMonth(this.spends.manager, userId)));
  }

  async monthlyAllowance(userId: string): Promise<number> {
    return AI_CREDIT_ALLOWANCE[await this.customers.planOf(userId)];
  }

  /**
   * Spends credits in the caller's transaction; false (nothing spent) when the balance is short.
   * The user's spends are serialised by a transaction-scoped advisory lock, so two concurrent
   * spends cannot both pass the check.
   */
  async spend(
    manager: EntityManager,
    userId: string,
    amount: number,
    reason: string,
  ): Promise<boolean> {
    if (!Number.isSafeInteger(amount) || amount <= 0)
      throw new RangeError('amount must be a positive integer');
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('ai-credits:' || $1))`, [userId]);
    const plan: { plan: Plan }[] = await manager.query(
      'SELECT plan FROM billing_customers WHERE user_id = $1',
      [userId],
    );
    const allowance = AI_CREDIT_ALLOWANCE[plan[0]?.plan ?? 'free'];
    if (allowance - (await this.spentThisMonth(manager, userId)) < amount) return false;
    await manager.insert(AiCreditSpendEntity, { userId, amount, reason });
    return true;
  }

  private async spentThisMonth(manager: EntityManager, userId: string): Promise<number> {
    const now = this.clock.now();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const rows: { spent: string | null }[] = await manager.query(
      'SELECT sum(amount) AS spent FROM ai_credit_spends WHERE user_id = $1 AND spent_at >= $2',
      [userId, monthStart],
    );
    return Number(rows[0]?.spent ?? 0);
  }
}
