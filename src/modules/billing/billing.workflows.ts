import type { Workflow } from '../../catalog/workflows.js';

/** Recipes across Billing's endpoints, listed in the catalog (registered on BillingModule). */
export const BILLING_WORKFLOWS: Workflow[] = [
  {
    id: 'create_checkout_link',
    summary:
      'Buy a priced post with a token holding billing:checkout: get a Stripe-hosted checkout URL, send the buyer there, and see the post unlock once Stripe confirms.',
    inputs: {
      type: 'object',
      properties: {
        postId: { type: 'string', description: 'A priced post of another user.' },
        idempotencyKey: {
          type: 'string',
          description: 'Reuse it on a retry to get the same link.',
          examples: ['buy-2026-11-28-1'],
        },
      },
      required: ['postId', 'idempotencyKey'],
    },
    steps: [
      {
        endpoint: 'posts.get',
        does: 'Read the post: `pricing` says what it costs; `purchase` is set while you cannot read it.',
        carry: 'id as postId',
        parameters: [{ name: 'postId', in: 'path', value: '$inputs.postId' }],
        successCriteria: ['$statusCode == 200'],
        outputs: { amount: '$response.body#/pricing/amount' },
      },
      {
        endpoint: 'billing.checkout_links.create',
        does: 'Create the link with {postId} (optionally successUrl/cancelUrl on this server and a referralCode), with an Idempotency-Key header so a retry answers the same link.',
        carry: 'url: open it in a browser to pay on Stripe’s page',
        parameters: [{ name: 'Idempotency-Key', in: 'header', value: '$inputs.idempotencyKey' }],
        requestBody: { payload: { postId: '$inputs.postId' } },
        successCriteria: ['$statusCode == 201'],
        outputs: {
          url: '$response.body#/url',
          checkoutSessionId: '$response.body#/checkoutSessionId',
        },
      },
      {
        endpoint: 'posts.get',
        optional: true,
        does: 'After paying (a person, on Stripe’s page): once Stripe’s signed event arrived, `body` is set and `purchase` is null (the success page alone grants nothing).',
      },
    ],
    outputs: { url: '$steps.billing_checkout_links_create.outputs.url' },
  },
  {
    id: 'start_payout_onboarding',
    summary:
      'Let buyers pay you: onboard a Stripe Express account with a token holding payouts:manage, then poll until payouts are enabled.',
    inputs: {
      type: 'object',
      properties: {
        country: { type: 'string', description: 'ISO 3166-1 alpha-2.', examples: ['DE'] },
      },
      required: ['country'],
    },
    steps: [
      {
        endpoint: 'payouts.onboarding_links.create',
        does: 'Create the onboarding link with {country} (ISO 3166-1 alpha-2); calling again later resumes the same account.',
        carry: 'url: open it in a browser and complete Stripe’s onboarding',
        requestBody: { payload: { country: '$inputs.country' } },
        successCriteria: ['$statusCode == 201'],
        outputs: { url: '$response.body#/url' },
      },
      {
        endpoint: 'payouts.get',
        does: 'Poll (every few seconds, or with ?refresh=true to ask Stripe now) until status is enabled; requirementsDue lists what Stripe still needs.',
        successCriteria: ['$statusCode == 200', '$response.body#/onboardingStarted == true'],
        outputs: {
          status: '$response.body#/status',
          requirementsDue: '$response.body#/requirementsDue',
        },
      },
    ],
    outputs: {
      url: '$steps.payouts_onboarding_links_create.outputs.url',
      status: '$steps.payouts_get.outputs.status',
    },
  },
  {
    id: 'retry_failed_transfer',
    summary:
      'Pay a co-seller share that failed (for instance, the co-seller had not finished onboarding), with a token holding transfers:manage.',
    steps: [
      {
        endpoint: 'transfers.list',
        does: 'List with ?status=failed; lastError says why each failed.',
        carry: 'id of the transfer to retry',
        parameters: [{ name: 'status', in: 'query', value: 'failed' }],
        successCriteria: ['$statusCode == 200'],
        outputs: {
          transferId: '$response.body#/items/0/id',
          lastError: '$response.body#/items/0/lastError',
        },
      },
      {
        endpoint: 'transfers.retry',
        does: 'Retry it once; the answer’s status is paid, or failed again with a new lastError.',
        parameters: [{ name: 'id', in: 'path', value: '$steps.transfers_list.outputs.transferId' }],
        successCriteria: ['$statusCode == 200'],
        outputs: { status: '$response.body#/status' },
      },
    ],
    outputs: { status: '$steps.transfers_retry.outputs.status' },
  },
];
