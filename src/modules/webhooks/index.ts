export { WebhooksModule } from './webhooks.module.js';
export { WebhookDeliveryWorker } from './deliveries/webhook-delivery.worker.js';
export { WebhookTransport } from './deliveries/webhook-transport.js';
