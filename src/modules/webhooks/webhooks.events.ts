import type { DomainEventDefinition } from '../../events/index.js';

export const WEBHOOK_TEST_EVENT = 'webhook.test';

/** The events Webhooks itself records (registered on WebhooksModule). */
export const WEBHOOK_EVENTS: DomainEventDefinition[] = [
  {
    type: WEBHOOK_TEST_EVENT,
    summary:
      'A test sent on request (POST /api/webhooks/endpoints/{id}/test) to that one endpoint, whatever events it subscribes to.',
    schema: {
      type: 'object',
      required: ['endpointId', 'message'],
      additionalProperties: false,
      properties: {
        endpointId: { type: 'string', format: 'uuid' },
        message: { type: 'string' },
      },
    },
  },
];
