import { Injectable } from '@nestjs/common';
import { AiCredits } from '../billing/index.js';
import { WorkspaceCredits } from './workspace-credits.js';

/**
 * Billing's AI credit balance decides whether a session may start: the plan's monthly allowance
 * minus what was spent (src/modules/billing/state/ai-credits.service.ts). The balance never goes
 * below zero, so "exhausted beyond its buffer" is a balance of zero.
 */
@Injectable()
export class BillingWorkspaceCredits extends WorkspaceCredits {
  constructor(private readonly credits: AiCredits) {
    super();
  }

  async hasCredits(userId: string): Promise<boolean> {
    return (await this.credits.aiCreditBalance(userId)) > 0;
  }
}
