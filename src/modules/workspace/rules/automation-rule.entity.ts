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
import { PostEntity } from '../../content/index.js';

export const RULE_TRIGGERS = ['SCHEDULE', 'WEBHOOK_EVENT', 'PURCHASE_SUCCEEDED'] as const;
export type RuleTrigger = (typeof RULE_TRIGGERS)[number];

/** Sizes a controller may give a run; the local controller ignores them. */
export const WORKLOAD_PROFILES = ['small', 'medium', 'large'] as const;
export type WorkloadProfile = (typeof WORKLOAD_PROFILES)[number];

@Entity({ name: 'automation_rules' })
@Index(['ownerId', 'createdAt'])
@Index(['postId', 'triggerType'])
// The schedule loop's scan: enabled SCHEDULE rules by their next tick.
@Index('automation_rules_due_idx', ['nextFireAt'], {
  where: `trigger_type = 'SCHEDULE' AND enabled`,
})
export class AutomationRuleEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'post_id', type: 'uuid' })
  postId!: string;

  @ManyToOne(() => PostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'post_id' })
  post?: PostEntity;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id' })
  owner?: UserEntity;

  @Column({ name: 'trigger_type', type: 'text' })
  triggerType!: RuleTrigger;

  /** SCHEDULE only: a 5-field cron expression, read in `timezone` (IANA, default UTC). */
  @Column({ type: 'text', nullable: true })
  cron!: string | null;

  @Column({ type: 'text', nullable: true })
  timezone!: string | null;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ name: 'cooldown_seconds', type: 'integer' })
  cooldownSeconds!: number;

  @Column({ name: 'prompt_template', type: 'text' })
  promptTemplate!: string;

  @Column({ name: 'workload_profile', type: 'text' })
  workloadProfile!: WorkloadProfile;

  /** WEBHOOK_EVENT only: the inbound URL's path token (a locator; the secret authenticates). */
  @Column({ name: 'hook_path_token', type: 'text', nullable: true, unique: true })
  hookPathToken!: string | null;

  /** WEBHOOK_EVENT only: the shared secret, sealed (context `automation-rule-hook:<id>`). */
  @Column({ name: 'hook_secret_sealed', type: 'text', nullable: true, select: false })
  hookSecretSealed?: string | null;

  /** SCHEDULE only: the next tick due (null while disabled). */
  @Column({ name: 'next_fire_at', type: 'timestamptz', precision: 3, nullable: true })
  nextFireAt!: Date | null;

  /** When the rule last queued a run; the cooldown counts from here. */
  @Column({ name: 'last_fired_at', type: 'timestamptz', precision: 3, nullable: true })
  lastFiredAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
