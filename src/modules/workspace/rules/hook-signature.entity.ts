import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { AutomationRuleEntity } from './automation-rule.entity.js';

/**
 * Signatures an inbound automation hook already accepted, so the same signed request is accepted
 * once only. Kept past the timestamp tolerance (a stale one is refused anyway), then swept.
 */
@Entity({ name: 'automation_hook_signatures' })
@Index(['expiresAt'])
export class HookSignatureEntity {
  @PrimaryColumn({ name: 'rule_id', type: 'uuid' })
  ruleId!: string;

  @ManyToOne(() => AutomationRuleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'rule_id' })
  rule?: AutomationRuleEntity;

  @PrimaryColumn({ type: 'text' })
  signature!: string;

  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt!: Date;
}
