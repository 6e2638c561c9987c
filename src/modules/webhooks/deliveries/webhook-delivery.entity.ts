import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { WebhookEndpointEntity } from '../endpoints/webhook-endpoint.entity.js';
import type { DeliveryErrorClass } from './webhook-transport.js';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event for one endpoint: a claim table (FOUNDATION §2 columns run_at, lease_owner,
 * lease_expires_at, attempts) worked by WebhookDeliveryWorker. The body and webhook id are fixed
 * when the row is made, so every retry sends the same bytes under the same id.
 */
@Entity({ name: 'webhook_deliveries' })
// The fan-out is idempotent: one delivery per event and endpoint.
@Unique('webhook_deliveries_event_endpoint_key', ['eventId', 'endpointId'])
@Index(['endpointId', 'createdAt'])
// The worker's claim: pending rows by due time.
@Index('webhook_deliveries_due_idx', ['runAt'], { where: `status = 'pending'` })
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'endpoint_id', type: 'uuid' })
  endpointId!: string;

  @ManyToOne(() => WebhookEndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id' })
  endpoint?: WebhookEndpointEntity;

  /** The domain event delivered (no foreign key: the outbox may be pruned before the log). */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  /** `webhook-id`: the same on every attempt, so receivers can deduplicate. */
  @Column({ name: 'webhook_id', type: 'text' })
  webhookId!: string;

  /** The exact JSON sent and signed: `{type, timestamp, data}`. */
  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'text', default: 'pending' })
  status!: DeliveryStatus;

  @Column({ name: 'run_at', type: 'timestamptz' })
  runAt!: Date;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  /** When the delivery was (re)queued: its three-day retry window starts here. */
  @Column({ name: 'queued_at', type: 'timestamptz' })
  queuedAt!: Date;

  /** Claims since the delivery was (re)queued; picks the retry delay. */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'last_response_status', type: 'int', nullable: true })
  lastResponseStatus!: number | null;

  @Column({ name: 'last_error_class', type: 'text', nullable: true })
  lastErrorClass!: DeliveryErrorClass | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}

/** One HTTP attempt of a delivery, for the log. */
@Entity({ name: 'webhook_delivery_attempts' })
@Index(['deliveryId', 'attemptedAt'])
export class WebhookDeliveryAttemptEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'delivery_id', type: 'uuid' })
  deliveryId!: string;

  @ManyToOne(() => WebhookDeliveryEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'delivery_id' })
  delivery?: WebhookDeliveryEntity;

  @Column({ name: 'attempted_at', type: 'timestamptz', precision: 3 })
  attemptedAt!: Date;

  /** Which worker sent it (instance + process), so duplicate sends would show. */
  @Column({ type: 'text' })
  worker!: string;

  @Column({ name: 'response_status', type: 'int', nullable: true })
  responseStatus!: number | null;

  @Column({ name: 'latency_ms', type: 'int' })
  latencyMs!: number;

  @Column({ name: 'error_class', type: 'text', nullable: true })
  errorClass!: DeliveryErrorClass | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** The start of the response body, truncated. */
  @Column({ name: 'response_body', type: 'text' })
  responseBody!: string;
}
