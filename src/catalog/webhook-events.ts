import type { OpenAPIObject } from '@nestjs/swagger';
import type { DomainEventDefinition } from '../events/index.js';

/** An event type as the catalog's `webhookEvents` lists it. */
export interface CatalogWebhookEvent {
  type: string;
  summary: string;
  /** JSON Schema of the event's `data`. */
  schema: Record<string, unknown>;
}

export function catalogWebhookEvents(
  definitions: readonly DomainEventDefinition[],
): CatalogWebhookEvent[] {
  return definitions.map(({ type, summary, schema }) => ({ type, summary, schema }));
}

/** The body every delivery carries, with the event's own schema as `data`. */
function deliveryBodySchema(definition: DomainEventDefinition): Record<string, unknown> {
  return {
    type: 'object',
    required: ['type', 'timestamp', 'data'],
    additionalProperties: false,
    properties: {
      type: { type: 'string', const: definition.type },
      timestamp: {
        type: 'string',
        format: 'date-time',
        description: 'When the event happened.',
      },
      data: definition.schema,
    },
  };
}

const SIGNATURE_HEADERS = [
  {
    name: 'webhook-id',
    description:
      'The message id: the same on every retry of one event to one endpoint (deduplicate on it).',
    example: 'msg_2f1d8c0b7e444c3e9a572f1d8c0b7e44',
  },
  {
    name: 'webhook-timestamp',
    description: 'Unix seconds when this attempt was signed; reject stale ones.',
    example: '1795893386',
  },
  {
    name: 'webhook-signature',
    description:
      'Space-separated `v1,<base64 HMAC-SHA256>` over `{webhook-id}.{webhook-timestamp}.{body}` with the endpoint secret (Standard Webhooks); two during a secret rotation.',
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  },
].map(({ name, description, example }) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string' },
  example,
}));

/**
 * Writes the OpenAPI 3.1 top-level `webhooks` map: one POST per event type that a registered
 * endpoint may receive, with the signature headers and the delivery body.
 */
export function addWebhooks(
  openApi: OpenAPIObject,
  definitions: readonly DomainEventDefinition[],
): void {
  const webhooks: Record<string, unknown> = {};
  for (const definition of definitions)
    webhooks[definition.type] = {
      post: {
        operationId: `webhook_${definition.type.replace(/\./g, '_')}`,
        summary: definition.summary,
        tags: ['webhooks'],
        // Sent by this server, not called on it: the receiver checks the signature headers.
        security: [],
        parameters: SIGNATURE_HEADERS,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: deliveryBodySchema(definition) } },
        },
        responses: {
          '200': {
            description:
              'Any 2xx within 15 seconds is success; anything else (3xx included) is retried with backoff, and 410 Gone disables the endpoint.',
          },
        },
      },
    };
  openApi.webhooks = webhooks as NonNullable<OpenAPIObject['webhooks']>;
}
