import type { Workflow } from '../../catalog/workflows.js';

/** Recipes across the webhook endpoints, listed in the catalog (registered on WebhooksModule). */
export const WEBHOOKS_WORKFLOWS: Workflow[] = [
  {
    id: 'register_webhook_endpoint',
    summary:
      'Receive events at your own URL: add an endpoint, send it a test, and read the delivery log, with a token holding webhooks:manage.',
    steps: [
      {
        endpoint: 'webhooks.endpoints.create',
        does: 'Add the endpoint with {url, events} (event types from the catalog’s webhookEvents).',
        carry: 'id; secret (whsec_…, shown once) into your receiver’s Standard Webhooks verifier',
      },
      {
        endpoint: 'webhooks.endpoints.test',
        does: 'Send it a webhook.test event.',
        carry: 'deliveryId and webhookId',
      },
      {
        endpoint: 'webhooks.deliveries.list',
        does: 'Read the delivery log: status succeeded, or each attempt’s response status and error class, and the next retry time.',
      },
      {
        endpoint: 'webhooks.deliveries.redeliver',
        does: 'Optionally send a delivery again once the receiver is fixed.',
      },
    ],
  },
];
