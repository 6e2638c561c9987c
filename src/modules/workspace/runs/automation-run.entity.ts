import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { UserEntity } from '../../account/index.js';
import { PostEntity } from '../../content/index.js';
import type { ControllerLabel } from '../controller/workspace-controller.js';
import { AutomationRuleEntity } from '../rules/automation-rule.entity.js';

export const RUN_STATUSES = [
  'QUEUED',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
  'TIMED_OUT',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = [
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
  'TIMED_OUT',
];

/** What caused a run: the API call, or a rule's trigger. */
export const RUN_TRIGGERS = ['API', 'SCHEDULE', 'WEBHOOK_EVENT', 'PURCHASE_SUCCEEDED'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/**
 * An automation run, and its place in the durable queue: the conventional claim columns
 * (`run_at`, `lease_owner`, `lease_expires_at`, `attempts`) for `claimDueJobs`. A QUEUED run is
 * due at `run_at`; a RUNNING run whose worker died becomes due again when its lease runs out;
 * an accepted run (an outside controller reports back) is due at its deadline, to time it out.
 */
@Entity({ name: 'automation_runs' })
@Unique(['ownerId', 'idempotencyKey'])
@Index(['ownerId', 'createdAt'])
@Index(['postId', 'createdAt'])
@Index(['ruleId'])
@Index('automation_runs_due_idx', ['runAt'], { where: `status IN ('QUEUED', 'RUNNING')` })
export class AutomationRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'post_id', type: 'uuid' })
  postId!: string;

  @ManyToOne(() => PostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'post_id' })
  post?: PostEntity;

  /** The post's author: the run acts as them, and only they see it. */
  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id' })
  owner?: UserEntity;

  @Column({ name: 'trigger_type', type: 'text' })
  triggerType!: RunTrigger;

  @Column({ name: 'rule_id', type: 'uuid', nullable: true })
  ruleId!: string | null;

  @ManyToOne(() => AutomationRuleEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'rule_id' })
  rule?: AutomationRuleEntity | null;

  @Column({ type: 'text' })
  status!: RunStatus;

  /** The rendered prompt the controller executes. */
  @Column({ type: 'text' })
  prompt!: string;

  @Column({ name: 'workload_profile', type: 'text' })
  workloadProfile!: string;

  /** API runs: the caller's key; one run per (owner, key). */
  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  /** sha256 of the request body the key was first used with (a different body is a 409). */
  @Column({ name: 'request_digest', type: 'text', nullable: true })
  requestDigest!: string | null;

  @Column({ type: 'text' })
  controller!: ControllerLabel;

  @Column({ type: 'text', nullable: true })
  output!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', precision: 3, nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', precision: 3, nullable: true })
  finishedAt!: Date | null;

  /** Set when it starts: RUNNING past this is TIMED_OUT. */
  @Column({ name: 'deadline_at', type: 'timestamptz', precision: 3, nullable: true })
  deadlineAt!: Date | null;

  @Column({ name: 'run_at', type: 'timestamptz', precision: 3 })
  runAt!: Date;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', precision: 3, nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;
}
