import type { Workflow } from '../../catalog/workflows.js';

/** Recipes across the webhook endpoints, listed in the catalog (registered on WebhooksModule). */
export const WEBHOOKS_WORKFLOWS: Workflow[] = [
  {
    id: 'register_webhook_endpoint',
    summary:
      'Receive events at your own URL: add an endpoint, send it a test, and read the delivery log, with a token holding webhooks:manage.',
    inputs: {
      type: 'object',
      properties: {
        url: { type: 'string', description: 'Your receiver.' },
        events: { type: 'array', items: { type: 'string' }, examples: [['post.published']] },
      },
      required: ['url', 'events'],
    },
    steps: [
      {
        endpoint: 'webhooks.endpoints.create',
        does: 'Add the endpoint with {url, events} (event types from the catalog’s webhookEvents).',
        carry: 'id; secret (whsec_…, shown once) into your receiver’s Standard Webhooks verifier',
        requestBody: { payload: { url: '$inputs.url', events: '$inputs.events' } },
        successCriteria: ['$statusCode == 201'],
        outputs: { endpointId: '$response.body#/id', secret: '$response.body#/secret' },
      },
      {
        endpoint: 'webhooks.endpoints.test',
        does: 'Send it a webhook.test event.',
        carry: 'deliveryId and webhookId',
        parameters: [
          { name: 'id', in: 'path', value: '$steps.webhooks_endpoints_create.outputs.endpointId' },
        ],
        successCriteria: ['$statusCode == 202'],
        outputs: {
          deliveryId: '$response.body#/deliveryId',
          webhookId: '$response.body#/webhookId',
        },
      },
      {
        endpoint: 'webhooks.deliveries.list',
        does: 'Read the delivery log: status succeeded, or each attempt’s response status and error class, and the next retry time.',
        parameters: [
          { name: 'id', in: 'path', value: '$steps.webhooks_endpoints_create.outputs.endpointId' },
        ],
        successCriteria: ['$statusCode == 200', "$response.body#/items/0/status == 'succeeded'"],
        retry: { afterSeconds: 1, limit: 20 },
        outputs: { status: '$response.body#/items/0/status' },
      },
      {
        endpoint: 'webhooks.deliveries.redeliver',
        does: 'Optionally send a delivery again once the receiver is fixed.',
        parameters: [
          { name: 'id', in: 'path', value: '$steps.webhooks_endpoints_test.outputs.deliveryId' },
        ],
        successCriteria: ['$statusCode == 202'],
      },
    ],
    outputs: {
      endpointId: '$steps.webhooks_endpoints_create.outputs.endpointId',
      deliveryStatus: '$steps.webhooks_deliveries_list.outputs.status',
    },
  },
];
