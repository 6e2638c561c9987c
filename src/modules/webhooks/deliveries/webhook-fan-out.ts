import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEvents, type RecordedDomainEvent } from '../../../events/index.js';
import { deliveryBody, webhookIdFor } from '../endpoints/webhook-endpoints.service.js';
import { WEBHOOK_TEST_EVENT } from '../webhooks.events.js';
import { WebhookDeliveryWorker } from './webhook-delivery.worker.js';

export const WEBHOOKS_CONSUMER = 'webhooks';

/**
 * Turns each recorded event into one delivery per enabled endpoint of its recipients that
 * subscribed to its type, in the dispatch's own transaction (so a fan-out happens exactly once,
 * and an event whose change rolled back was never recorded to begin with).
 */
@Injectable()
export class WebhookFanOut implements OnModuleInit {
  constructor(
    private readonly events: DomainEvents,
    private readonly worker: WebhookDeliveryWorker,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(WEBHOOKS_CONSUMER, '*', (event, manager) => this.fanOut(event, manager), {
      // The queued deliveries go out now rather than at the worker's next poll.
      afterCommit: () => this.worker.nudge(),
    });
  }

  async fanOut(event: RecordedDomainEvent, manager: EntityManager): Promise<void> {
    // A test goes to the one endpoint it was sent from, queued with the event itself.
    if (event.type === WEBHOOK_TEST_EVENT || event.recipients.length === 0) return;
    // One statement: a delivery for every enabled endpoint of a recipient subscribed to the type.
    await manager.query(
      `INSERT INTO webhook_deliveries
         (endpoint_id, event_id, event_type, webhook_id, body, status, run_at, queued_at)
       SELECT e.id, $3, $2, $4, $5, 'pending', $6, $6
         FROM webhook_endpoints e
        WHERE e.owner_id = ANY($1::uuid[]) AND e.enabled AND $2 = ANY(e.events)
       ON CONFLICT ON CONSTRAINT webhook_deliveries_event_endpoint_key DO NOTHING`,
      [
        event.recipients,
        event.type,
        event.id,
        webhookIdFor(event.id),
        deliveryBody(event),
        event.occurredAt,
      ],
    );
  }
}
