import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { AutomationRuleEntity } from './automation-rule.entity.js';

export const FIRING_OUTCOMES = ['QUEUED', 'SKIPPED_COOLDOWN'] as const;
export type FiringOutcome = (typeof FIRING_OUTCOMES)[number];

/**
 * Each time a rule's trigger fired: the run it queued, or that the cooldown suppressed it.
 * `(rule_id, dedupe_key)` is unique, which is what makes a firing happen once: the schedule tick
 * (`tick:<ISO time>`) across instances, the inbound signature, the purchase event id.
 */
@Entity({ name: 'automation_firings' })
@Unique(['ruleId', 'dedupeKey'])
export class AutomationFiringEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'rule_id', type: 'uuid' })
  ruleId!: string;

  @ManyToOne(() => AutomationRuleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'rule_id' })
  rule?: AutomationRuleEntity;

  @Column({ name: 'dedupe_key', type: 'text' })
  dedupeKey!: string;

  @Column({ type: 'text' })
  outcome!: FiringOutcome;

  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId!: string | null;

  @CreateDateColumn({ name: 'fired_at', type: 'timestamptz', precision: 3 })
  firedAt!: Date;
}
