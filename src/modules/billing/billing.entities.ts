import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { UserEntity } from '../account/index.js';
import { PostEntity } from '../content/index.js';

// Billing's tables. None holds card data (Stripe-hosted pages take it), a Stripe key or the
// webhook secret: only Stripe object ids and the state Billing needs to answer without Stripe.

export const PLANS = ['free', 'pro'] as const;
export type Plan = (typeof PLANS)[number];
export const PAYOUT_STATUSES = ['enabled', 'blocked', 'pending_review', 'incomplete'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];
export const TRANSFER_STATUSES = ['pending', 'failed', 'paid', 'reversed'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];
export const CHECKOUT_KINDS = ['post', 'plan'] as const;
export type CheckoutKind = (typeof CHECKOUT_KINDS)[number];

/** A user's Stripe customer and plan (a row appears on first need). */
@Entity({ name: 'billing_customers' })
export class BillingCustomerEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ name: 'stripe_customer_id', type: 'text', nullable: true, unique: true })
  stripeCustomerId!: string | null;

  @Column({ type: 'text', default: 'free' })
  plan!: Plan;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** A seller's connected account (Stripe Connect, Express) and its payout readiness. */
@Entity({ name: 'payout_accounts' })
export class PayoutAccountEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ name: 'stripe_account_id', type: 'text', unique: true })
  stripeAccountId!: string;

  @Column({ type: 'text' })
  country!: string;

  @Column({ type: 'text', default: 'incomplete' })
  status!: PayoutStatus;

  @Column({ name: 'charges_enabled', type: 'boolean', default: false })
  chargesEnabled!: boolean;

  @Column({ name: 'payouts_enabled', type: 'boolean', default: false })
  payoutsEnabled!: boolean;

  @Column({ name: 'requirements_due', type: 'text', array: true, default: () => "'{}'" })
  requirementsDue!: string[];

  /** When Stripe produced the state held (event `created` or fetch time): older news is ignored. */
  @Column({ name: 'state_as_of', type: 'timestamptz' })
  stateAsOf!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * A Checkout Session Billing created, kept for the Idempotency-Key (24 hours: same key and body,
 * same link) and to tie the session's events back to the buyer. Its id is the purchase id the
 * session's payment carries as transfer_group.
 */
@Entity({ name: 'checkout_links' })
@Index(['buyerId', 'idempotencyKey'], { unique: true })
export class CheckoutLinkEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'buyer_id', type: 'uuid' })
  buyerId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'buyer_id' })
  buyer?: UserEntity;

  @Column({ type: 'text' })
  kind!: CheckoutKind;

  @Column({ name: 'post_id', type: 'uuid', nullable: true })
  postId!: string | null;

  @ManyToOne(() => PostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'post_id' })
  post?: PostEntity | null;

  /** The caller's Idempotency-Key header, or null. */
  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  /** SHA-256 of the request body as received, to tell a retry from a different request. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  @Column({ name: 'checkout_session_id', type: 'text', unique: true })
  checkoutSessionId!: string;

  @Column({ type: 'text' })
  url!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A completed checkout of a post (from a verified checkout.session.completed). */
@Entity({ name: 'purchases' })
@Index(['buyerId', 'createdAt'])
@Index(['sellerId', 'createdAt'])
export class PurchaseEntity {
  /** The checkout link's id. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'buyer_id', type: 'uuid' })
  buyerId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'buyer_id' })
  buyer?: UserEntity;

  @Column({ name: 'seller_id', type: 'uuid' })
  sellerId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'seller_id' })
  seller?: UserEntity;

  @Column({ name: 'post_id', type: 'uuid', nullable: true })
  postId!: string | null;

  @ManyToOne(() => PostEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'post_id' })
  post?: PostEntity | null;

  /** Stripe Checkout's mode: payment (one-time) or subscription (monthly). */
  @Column({ type: 'text' })
  mode!: 'payment' | 'subscription';

  /** Minor units, as Stripe charged. */
  @Column({ type: 'integer' })
  amount!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'checkout_session_id', type: 'text', unique: true })
  checkoutSessionId!: string;

  @Column({ name: 'stripe_subscription_id', type: 'text', nullable: true })
  stripeSubscriptionId!: string | null;

  @Column({ name: 'referral_path_id', type: 'uuid', nullable: true })
  referralPathId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A buyer's subscription to a post, or a user's Pro plan subscription (post_id null). */
@Entity({ name: 'billing_subscriptions' })
@Index(['buyerId', 'createdAt'])
export class BillingSubscriptionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'stripe_subscription_id', type: 'text', unique: true })
  stripeSubscriptionId!: string;

  @Column({ type: 'text' })
  kind!: CheckoutKind;

  @Column({ name: 'buyer_id', type: 'uuid' })
  buyerId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'buyer_id' })
  buyer?: UserEntity;

  @Column({ name: 'seller_id', type: 'uuid', nullable: true })
  sellerId!: string | null;

  @Column({ name: 'post_id', type: 'uuid', nullable: true })
  postId!: string | null;

  @ManyToOne(() => PostEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'post_id' })
  post?: PostEntity | null;

  /** Stripe's status: active, trialing, past_due, canceled, unpaid, incomplete, … */
  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'current_period_end', type: 'timestamptz', nullable: true })
  currentPeriodEnd!: Date | null;

  @Column({ name: 'cancel_at_period_end', type: 'boolean', default: false })
  cancelAtPeriodEnd!: boolean;

  /** When Stripe produced the state held: an older event does not overwrite it. */
  @Column({ name: 'state_as_of', type: 'timestamptz' })
  stateAsOf!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * A share of a purchase the seller owes a co-seller (a referral path's coSellerShareBps), paid
 * as a Stripe transfer to the co-seller's connected account from the application fee withheld
 * on the charge. One per purchase and recipient.
 */
@Entity({ name: 'transfers' })
@Index(['sellerId', 'createdAt'])
// The payment queue: pending transfers by when they are due (claimed with claimDueJobs).
@Index('transfers_due_idx', ['runAt'], { where: "status = 'pending'" })
@Index(['purchaseId', 'destinationUserId', 'source'], { unique: true })
export class TransferEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'purchase_id', type: 'uuid' })
  purchaseId!: string;

  @ManyToOne(() => PurchaseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'purchase_id' })
  purchase?: PurchaseEntity;

  /** The creator who owes it (the post's seller). */
  @Column({ name: 'seller_id', type: 'uuid' })
  sellerId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'seller_id' })
  seller?: UserEntity;

  /** Who receives it (the referral path's owner). */
  @Column({ name: 'destination_user_id', type: 'uuid' })
  destinationUserId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'destination_user_id' })
  destinationUser?: UserEntity;

  @Column({ name: 'referral_path_id', type: 'uuid', nullable: true })
  referralPathId!: string | null;

  /** What was paid: `checkout` (the purchase itself) or the renewal invoice's id. */
  @Column({ type: 'text', default: 'checkout' })
  source!: string;

  @Column({ name: 'share_bps', type: 'integer' })
  shareBps!: number;

  @Column({ type: 'integer' })
  amount!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'transfer_group', type: 'text' })
  transferGroup!: string;

  @Column({ type: 'text', default: 'pending' })
  status!: TransferStatus;

  @Column({ name: 'stripe_transfer_id', type: 'text', nullable: true, unique: true })
  stripeTransferId!: string | null;

  /**
   * The payment attempt: 1 at first, +1 per retry of a failed transfer. Its Stripe idempotency key
   * is transfer:{id}:{paymentAttempt}, so a worker that died mid-request repeats the same attempt
   * (Stripe answers the transfer it made) and only a retry asks for a new one.
   */
  @Column({ name: 'payment_attempt', type: 'integer', default: 1 })
  paymentAttempt!: number;

  // Queue columns (src/database/job-claims.ts): when it is due, who holds it, how often claimed.
  @Column({ name: 'run_at', type: 'timestamptz', default: () => 'now()' })
  runAt!: Date;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Stripe events already applied, by event id: a replay finds its row and changes nothing. */
@Entity({ name: 'stripe_events' })
export class StripeEventEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  type!: string;

  /** Stripe's `created`. */
  @Column({ name: 'stripe_created_at', type: 'timestamptz' })
  stripeCreatedAt!: Date;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}

/** AI credits spent (Workspace's AI features); the balance is the plan's monthly allowance minus these. */
@Entity({ name: 'ai_credit_spends' })
@Index(['userId', 'spentAt'])
export class AiCreditSpendEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ type: 'integer' })
  amount!: number;

  @Column({ type: 'text' })
  reason!: string;

  @CreateDateColumn({ name: 'spent_at', type: 'timestamptz' })
  spentAt!: Date;
}
