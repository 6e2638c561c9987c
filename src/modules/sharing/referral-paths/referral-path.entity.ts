import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { UserEntity } from '../../account/index.js';
import { PostEntity } from '../../content/index.js';

/** A referral link `/go/{code}` of its owner, to one of their visible posts or to their profile. */
@Entity({ name: 'referral_paths' })
@Index(['ownerId', 'createdAt'])
// Deleting a post cascades to its paths.
@Index(['postId'])
// Codes are unique ignoring case (`Launch` and `launch` are one code, so a code read aloud or
// retyped cannot reach someone else's link): a unique index on lower(code), created by the
// migration, since TypeORM cannot declare expression indexes.
@Index('referral_paths_code_lower_key', { synchronize: false })
export class ReferralPathEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id' })
  owner?: UserEntity;

  /** As the owner spelled it; matched ignoring case. */
  @Column({ type: 'text' })
  code!: string;

  /** The target post; null means the owner's profile. The path goes when its post is deleted. */
  @Column({ name: 'post_id', type: 'uuid', nullable: true })
  postId!: string | null;

  @ManyToOne(() => PostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'post_id' })
  post?: PostEntity | null;

  /** The co-seller's share of a sale this path brings, in basis points (0–10000). */
  @Column({ name: 'co_seller_share_bps', type: 'integer', default: 0 })
  coSellerShareBps!: number;

  @Column({ type: 'integer', default: 0 })
  visits!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
