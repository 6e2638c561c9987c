import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/**
 * The outbox: one row per event, written in the transaction of the change it describes, so an
 * event exists exactly when its change committed. Kept as a log after dispatch.
 */
@Entity({ name: 'domain_events' })
@Index('domain_events_occurred_idx', ['occurredAt'])
export class DomainEventEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', precision: 3 })
  occurredAt!: Date;

  @Column({ type: 'uuid', array: true })
  recipients!: string[];

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;
}

/**
 * One event still to be handled by one consumer (webhooks, automation triggers, …). Written
 * beside the event, claimed with a lease (`claimDueJobs`), deleted in the transaction that runs
 * its handler: what is here is exactly the work left.
 */
@Entity({ name: 'domain_event_dispatches' })
@Index('domain_event_dispatches_due_idx', ['runAt'])
export class DomainEventDispatchEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @ManyToOne(() => DomainEventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: DomainEventEntity;

  @PrimaryColumn({ type: 'text' })
  consumer!: string;

  @Column({ name: 'run_at', type: 'timestamptz', precision: 3 })
  runAt!: Date;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', precision: 3, nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}
