import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { UserEntity } from '../users/user.entity.js';

/**
 * The durable mail queue: one row per message to send, written in the transaction that handles
 * the domain event it comes from (so a committed event always yields its mail, exactly once:
 * `dedupe_key` is `eventId:recipient`). `MailSender` claims due rows with a lease
 * (`claimDueJobs`), sends and sets `sent_at`; a failure is retried later with backoff.
 */
@Entity({ name: 'mail_outbox' })
@Index('mail_outbox_due_idx', ['runAt'], { where: 'sent_at IS NULL' })
export class MailOutboxEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'dedupe_key', type: 'text', unique: true })
  dedupeKey!: string;

  /** Whom it is for; a deleted account takes its unsent mail with it. */
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ name: 'to_address', type: 'text' })
  toAddress!: string;

  /** What kind of message (the event type it renders), for logs and tests. */
  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'text' })
  text!: string;

  @Column({ type: 'text', nullable: true })
  html!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'run_at', type: 'timestamptz', precision: 3 })
  runAt!: Date;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', precision: 3, nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'sent_at', type: 'timestamptz', precision: 3, nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}
