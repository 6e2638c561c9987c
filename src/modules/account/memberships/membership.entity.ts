import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { UserEntity } from '../users/user.entity.js';

/**
 * A person's membership of a creator, with the tags the creator gave them. The primary key
 * (creator_id, member_id) is also the audience-tag lookup (membership-sql.ts).
 */
@Entity({ name: 'memberships' })
// A creator's members, newest first, keyset-paginated on (created_at, member_id).
@Index('memberships_creator_joined_idx', ['creatorId', 'createdAt', 'memberId'])
// "Which creators am I a member of" and cascades when a member's account goes.
@Index('memberships_member_idx', ['memberId'])
export class MembershipEntity {
  @PrimaryColumn({ name: 'creator_id', type: 'uuid' })
  creatorId!: string;

  @PrimaryColumn({ name: 'member_id', type: 'uuid' })
  memberId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'creator_id' })
  creator?: UserEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: UserEntity;

  /** Normalised like hashtags (lower-case, no '#', once each), 0–20 of `[a-z0-9-]{1,32}`. */
  // The ?tag= filter: a GIN index, created by the migration (TypeORM cannot declare GIN).
  @Index('memberships_tags_idx', { synchronize: false })
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags!: string[];

  /** When the member joined. */
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 }) // ms, like cursors
  createdAt!: Date;
}
