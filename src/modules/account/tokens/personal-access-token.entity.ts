import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { Scope } from '../../../access/scopes.js';
import type { TokenResources } from '../../../access/token-constraints.js';
import { UserEntity } from '../users/user.entity.js';

@Entity({ name: 'personal_access_tokens' })
@Index(['userId', 'createdAt'])
// The expiry-warning sweep looks up live tokens by expiry every minute on every instance.
@Index('personal_access_tokens_expiry_idx', ['expiresAt'], {
  where: 'revoked_at IS NULL AND expires_at IS NOT NULL',
})
@Index(['parentId'])
export class PersonalAccessTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ type: 'text' })
  name!: string;

  /** HMAC-SHA-256(pepper, token); the raw token is returned once at creation and never stored. */
  @Column({ name: 'token_hash', type: 'text', unique: true, select: false })
  tokenHash!: string;

  /** `gpx_pat_` + 4 characters: enough to recognise a token in lists and audit events. */
  @Column({ name: 'token_prefix', type: 'text' })
  tokenPrefix!: string;

  @Column({ type: 'text', array: true })
  scopes!: Scope[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 }) // ms, like the JS Dates in cursors
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'last_used_ip', type: 'text', nullable: true })
  lastUsedIp!: string | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** Set when this token was rotated: the token that replaced it. */
  @Column({ name: 'replaced_by_id', type: 'uuid', nullable: true })
  replacedById!: string | null;

  /** Set when this token was rotated: it keeps working until then, and is refused after. */
  @Column({ name: 'grace_until', type: 'timestamptz', nullable: true })
  graceUntil!: Date | null;

  /** Set on a token made by rotation: when it replaced its predecessor. */
  @Column({ name: 'rotated_at', type: 'timestamptz', nullable: true })
  rotatedAt!: Date | null;

  /**
   * When the owner was warned that this unused token will be revoked (stale clean-up); cleared
   * when the token is used again.
   */
  @Column({ name: 'stale_warned_at', type: 'timestamptz', nullable: true })
  staleWarnedAt!: Date | null;

  /** Set on a token made by rotation: until when the predecessor's value still works. */
  @Column({ name: 'previous_valid_until', type: 'timestamptz', nullable: true })
  previousValidUntil!: Date | null;

  /**
   * IPv4/IPv6 CIDRs the token may be used from (normalised, e.g. `203.0.113.0/24`); null: any
   * address. Checked by the access guard against the client address as `trust proxy` sees it.
   */
  @Column({ name: 'allowed_ips', type: 'text', array: true, nullable: true })
  allowedIps!: string[] | null;

  /** The resources the token is pinned to (`{posts: [uuid, …]}`); null: all the owner's. */
  @Column({ type: 'jsonb', nullable: true })
  resources!: TokenResources | null;

  /** Set on a child token: the token that minted it. Revoking or rotating the parent revokes it. */
  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  @ManyToOne(() => PersonalAccessTokenEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'parent_id' })
  parent?: PersonalAccessTokenEntity;
}
