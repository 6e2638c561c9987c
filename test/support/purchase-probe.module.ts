import { Module } from '@nestjs/common';
import { RegisterDomainEvents } from '../../src/events/index.js';

/**
 * TEST ONLY: declares `purchase.succeeded` the way Billing does (data {purchaseId, postId,
 * buyerId, sellerId, amount, currency, mode}), so the Workspace module's PURCHASE_SUCCEEDED
 * trigger can be driven before Billing is merged. Drop it for Billing's module when it lands.
 */
@RegisterDomainEvents([
  {
    type: 'purchase.succeeded',
    summary: 'A purchase of one of your posts succeeded (test probe).',
    schema: {
      type: 'object',
      properties: {
        purchaseId: { type: 'string' },
        postId: { type: 'string', format: 'uuid' },
        buyerId: { type: 'string', format: 'uuid' },
        sellerId: { type: 'string', format: 'uuid' },
        amount: { type: 'integer' },
        currency: { type: 'string' },
        mode: { type: 'string' },
      },
      required: ['purchaseId', 'postId', 'buyerId', 'sellerId', 'amount', 'currency', 'mode'],
    },
  },
])
@Module({})
export class PurchaseProbeModule {}
