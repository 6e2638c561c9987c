import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Security audit trail. Actor ids are plain columns, not foreign keys, so the trail outlives the
 * users and tokens it mentions. Never holds a raw token: only ids and display prefixes.
 */
@Entity({ name: 'audit_events' })
@Index(['createdAt', 'id'])
@Index(['actorUserId', 'createdAt'])
@Index(['action', 'createdAt'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'actor_user_id', type: 'uuid', nullable: true })
  actorUserId!: string | null;

  @Column({ name: 'actor_token_id', type: 'uuid', nullable: true })
  actorTokenId!: string | null;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;

  @Column({ type: 'jsonb' })
  details!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 }) // ms, like the JS Dates in cursors
  createdAt!: Date;
}
