import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { UserEntity } from '../../account/index.js';
import { PostEntity } from '../posts/post.entity.js';

/**
 * Who may read a priced post beyond its author. Content owns the row because Content owns the
 * rule that reads it (post-visibility.ts); Billing writes it through PostEntitlements when a
 * verified Stripe event says a purchase or subscription happened.
 */
@Entity({ name: 'post_entitlements' })
@Index(['userId'])
export class PostEntitlementEntity {
  @PrimaryColumn({ name: 'post_id', type: 'uuid' })
  postId!: string;

  @ManyToOne(() => PostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'post_id' })
  post?: PostEntity;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  /** Null: for good (a one-time purchase). Otherwise readable until then (a subscription's period end). */
  @Column({ type: 'timestamptz', nullable: true })
  until!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
