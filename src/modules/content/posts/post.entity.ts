import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { UserEntity } from '../../account/index.js';
import { PlaceEntity } from '../places/place.entity.js';

// The values of the text enums, defined once: the entity's types, the DTOs' validation and their
// OpenAPI enums all read these.
export const POST_STATUSES = ['DRAFT', 'PUBLISHED'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];
export const REPLY_STATES = ['awaiting_review', 'accepted', 'needs_revision'] as const;
export type ReplyState = (typeof REPLY_STATES)[number];
export const PRICING_MODELS = ['one_time', 'subscription'] as const;
export type PricingModel = (typeof PRICING_MODELS)[number];

@Entity({ name: 'posts' })
// The feed's keyset orders: newest first, and upcoming by scheduled time.
@Index('posts_feed_recent_idx', ['createdAt', 'id'], { where: 'parent_post_id IS NULL' })
@Index('posts_feed_upcoming_idx', ['scheduledAt', 'id'], { where: 'parent_post_id IS NULL' })
@Index(['authorId', 'createdAt'])
@Index(['parentPostId', 'createdAt'])
// Full-text search: a GIN index over search_vector, created by its migration (TypeORM cannot
// declare GIN indexes).
@Index('posts_search_vector_idx', { synchronize: false })
export class PostEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Short, stable id for share links (/r/{referenceId}). */
  @Column({ name: 'reference_id', type: 'text', unique: true })
  referenceId!: string;

  @Column({ name: 'author_id', type: 'uuid' })
  authorId!: string;

  /**
   * Title and body as a tsvector, kept by a trigger (see the PostSearchVector migration). Stored
   * rather than computed per query: to_tsvector costs tens of microseconds per row, and a feed
   * search the planner runs as an ordered scan with a filter would recompute it for every post
   * it passes. A trigger rather than a generated column, because TypeORM ties generated columns
   * to a typeorm_metadata row keyed by database name, which breaks for a copied database.
   */
  @Column({
    name: 'search_vector',
    type: 'tsvector',
    nullable: true,
    select: false,
    insert: false,
    update: false,
  })
  searchVector?: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'author_id' })
  author?: UserEntity;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'text' })
  status!: PostStatus;

  @Column({ name: 'place_id', type: 'uuid', nullable: true })
  placeId!: string | null;

  @ManyToOne(() => PlaceEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'place_id' })
  place?: PlaceEntity | null;

  @Column({ name: 'scheduled_at', type: 'timestamptz', precision: 3, nullable: true })
  scheduledAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  timezone!: string | null;

  @Column({ name: 'audience_tags', type: 'text', array: true, default: () => "'{}'" })
  audienceTags!: string[];

  @Index('posts_hashtags_idx', { synchronize: false })
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  hashtags!: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  mentions!: string[];

  /** Replies are posts in the parent's thread; deleting a post deletes its replies. */
  @Column({ name: 'parent_post_id', type: 'uuid', nullable: true })
  parentPostId!: string | null;

  @ManyToOne(() => PostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'parent_post_id' })
  parent?: PostEntity | null;

  @Column({ name: 'requires_reply_approval', type: 'boolean', default: false })
  requiresReplyApproval!: boolean;

  @Column({ name: 'reply_state', type: 'text', nullable: true })
  replyState!: ReplyState | null;

  @Column({ name: 'revision_note', type: 'text', nullable: true })
  revisionNote!: string | null;

  @Column({ name: 'pricing_model', type: 'text', nullable: true })
  pricingModel!: PricingModel | null;

  /** Minor units (cents). */
  @Column({ name: 'price_amount', type: 'integer', nullable: true })
  priceAmount!: number | null;

  @Column({ name: 'price_currency', type: 'text', nullable: true })
  priceCurrency!: string | null;

  @Column({ name: 'priced_at', type: 'timestamptz', nullable: true })
  pricedAt!: Date | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
