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
import type { ControllerLabel, SessionMode } from '../controller/workspace-controller.js';

/** Stored states; an ACTIVE session past either expiry reads as EXPIRED (see sessionStatusSql). */
export const SESSION_STATUSES = ['ACTIVE', 'CLOSED', 'EXPIRED'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

@Entity({ name: 'workspace_sessions' })
// Resume lookups and the per-user concurrency count.
@Index(['userId', 'postId', 'mode'])
@Index(['userId', 'createdAt'])
@Index(['postId'])
export class WorkspaceSessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'post_id', type: 'uuid' })
  postId!: string;

  @ManyToOne(() => PostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'post_id' })
  post?: PostEntity;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ type: 'text' })
  mode!: SessionMode;

  /** ACTIVE or CLOSED as stored; expiry is read from the two timestamps. */
  @Column({ type: 'text' })
  status!: SessionStatus;

  @Column({ type: 'text' })
  controller!: ControllerLabel;

  @Column({ type: 'text' })
  url!: string;

  /** Absolute end (TTL from creation). */
  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt!: Date;

  /** Moves forward with each resume; past it the session is EXPIRED. */
  @Column({ name: 'idle_expires_at', type: 'timestamptz', precision: 3 })
  idleExpiresAt!: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', precision: 3, nullable: true })
  closedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
