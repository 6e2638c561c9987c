import type { Workflow } from '../../catalog/workflows.js';

/** Recipes across Billing's endpoints, listed in the catalog (registered on BillingModule). */
export const BILLING_WORKFLOWS: Workflow[] = [
  {
    id: 'create_checkout_link',
    summary:
      'Buy a priced post with a token holding billing:checkout: get a Stripe-hosted checkout URL, send the buyer there, and see the post unlock once Stripe confirms.',
    steps: [
      {
        endpoint: 'posts.get',
        does: 'Read the post: `pricing` says what it costs; `purchase` is set while you cannot read it.',
        carry: 'id as postId',
      },
      {
        endpoint: 'billing.checkout_links.create',
        does: 'Create the link with {postId} (optionally successUrl/cancelUrl on this server and a referralCode), with an Idempotency-Key header so a retry answers the same link.',
        carry: 'url: open it in a browser to pay on Stripe’s page',
      },
      {
        endpoint: 'posts.get',
        does: 'After paying: once Stripe’s signed event arrived, `body` is set and `purchase` is null (the success page alone grants nothing).',
      },
    ],
  },
  {
    id: 'start_payout_onboarding',
    summary:
      'Let buyers pay you: onboard a Stripe Express account with a token holding payouts:manage, then poll until payouts are enabled.',
    steps: [
      {
        endpoint: 'payouts.onboarding_links.create',
        does: 'Create the onboarding link with {country} (ISO 3166-1 alpha-2); calling again later resumes the same account.',
        carry: 'url: open it in a browser and complete Stripe’s onboarding',
      },
      {
        endpoint: 'payouts.get',
        does: 'Poll (every few seconds, or with ?refresh=true to ask Stripe now) until status is enabled; requirementsDue lists what Stripe still needs.',
      },
    ],
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
      },
      {
        endpoint: 'transfers.retry',
        does: 'Retry it once; the answer’s status is paid, or failed again with a new lastError.',
      },
    ],
  },
];
