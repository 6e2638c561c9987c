import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEvents, type RecordedDomainEvent } from '../../../events/index.js';
import { queueDelivery } from '../endpoints/webhook-endpoints.service.js';
import { WEBHOOK_TEST_EVENT } from '../webhooks.events.js';

export const WEBHOOKS_CONSUMER = 'webhooks';

/**
 * Turns each recorded event into one delivery per enabled endpoint of its recipients that
 * subscribed to its type, in the dispatch's own transaction (so a fan-out happens exactly once,
 * and an event whose change rolled back was never recorded to begin with).
 */
@Injectable()
export class WebhookFanOut implements OnModuleInit {
  constructor(private readonly events: DomainEvents) {}

  onModuleInit(): void {
    this.events.subscribe(WEBHOOKS_CONSUMER, '*', (event, manager) => this.fanOut(event, manager));
  }

  async fanOut(event: RecordedDomainEvent, manager: EntityManager): Promise<void> {
    // A test goes to the one endpoint it was sent from, queued with the event itself.
    if (event.type === WEBHOOK_TEST_EVENT || event.recipients.length === 0) return;
    const endpoints: { id: string }[] = await manager.query(
      `SELECT id FROM webhook_endpoints
       WHERE owner_id = ANY($1::uuid[]) AND enabled AND $2 = ANY(events)`,
      [event.recipients, event.type],
    );
    for (const endpoint of endpoints)
      await queueDelivery(manager, {
        endpointId: endpoint.id,
        eventId: event.id,
        type: event.type,
        occurredAt: event.occurredAt,
        data: event.data,
        runAt: event.occurredAt,
      });
  }
}
