import type { DomainEventDefinition } from '../../events/index.js';

/** Billing's domain events (registered on BillingModule, listed in the catalog). */
export const BILLING_EVENTS: DomainEventDefinition[] = [
  {
    type: 'purchase.succeeded',
    summary:
      'A buyer completed a Stripe checkout for a priced post (verified Stripe event); sent to the buyer and the seller.',
    schema: {
      type: 'object',
      required: ['purchaseId', 'postId', 'buyerId', 'sellerId', 'amount', 'currency', 'mode'],
      properties: {
        purchaseId: { type: 'string', format: 'uuid' },
        postId: { type: 'string', format: 'uuid' },
        buyerId: { type: 'string', format: 'uuid' },
        sellerId: { type: 'string', format: 'uuid' },
        amount: { type: 'integer', description: 'Minor units (cents), as Stripe charged.' },
        currency: { type: 'string', description: 'ISO 4217, lower case.' },
        mode: { type: 'string', enum: ['payment', 'subscription'] },
        referralPathId: {
          type: ['string', 'null'],
          format: 'uuid',
          description: 'The referral path the sale came through, if any.',
        },
      },
      additionalProperties: false,
    },
  },
];
