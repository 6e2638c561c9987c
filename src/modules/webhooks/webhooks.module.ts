import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RegisterWorkflows } from '../../catalog/workflows.js';
import { RegisterDomainEvents } from '../../events/index.js';
import {
  WebhookDeliveryAttemptEntity,
  WebhookDeliveryEntity,
} from './deliveries/webhook-delivery.entity.js';
import { WebhookDeliveryWorker } from './deliveries/webhook-delivery.worker.js';
import { WebhookFanOut } from './deliveries/webhook-fan-out.js';
import { HttpWebhookTransport, WebhookTransport } from './deliveries/webhook-transport.js';
import { WebhookEndpointEntity } from './endpoints/webhook-endpoint.entity.js';
import { WebhookEndpointsController } from './endpoints/webhook-endpoints.controller.js';
import { WebhookEndpointsService } from './endpoints/webhook-endpoints.service.js';
import { WEBHOOK_EVENTS } from './webhooks.events.js';
import { WEBHOOKS_WORKFLOWS } from './webhooks.workflows.js';

/**
 * Outgoing webhooks: owners' endpoints, the fan-out of every domain event to the endpoints of its
 * recipients, and signed, retried, logged deliveries (docs/architecture.md §5).
 */
@RegisterWorkflows(WEBHOOKS_WORKFLOWS)
@RegisterDomainEvents(WEBHOOK_EVENTS)
@Module({
  imports: [
    TypeOrmModule.forFeature([
      WebhookEndpointEntity,
      WebhookDeliveryEntity,
      WebhookDeliveryAttemptEntity,
    ]),
  ],
  controllers: [WebhookEndpointsController],
  providers: [
    WebhookEndpointsService,
    WebhookFanOut,
    WebhookDeliveryWorker,
    HttpWebhookTransport,
    { provide: WebhookTransport, useExisting: HttpWebhookTransport },
  ],
})
export class WebhooksModule {}
