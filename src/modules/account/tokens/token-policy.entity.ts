import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import type { Scope } from '../../../access/scopes.js';

/**
 * The admin's override of the token policy: one row at most (id 1). A null column follows the
 * configuration (TOKEN_*); a value overrides it. For the two day counts, 0 means "none"/"off".
 */
@Entity({ name: 'token_policy' })
@Check('"id" = 1')
export class TokenPolicyEntity {
  @PrimaryColumn({ type: 'smallint', default: 1 })
  id!: number;

  @Column({ name: 'max_lifetime_days', type: 'integer', nullable: true })
  maxLifetimeDays!: number | null;

  @Column({ name: 'expiry_required', type: 'boolean', nullable: true })
  expiryRequired!: boolean | null;

  @Column({ name: 'admin_only_scopes', type: 'text', array: true, nullable: true })
  adminOnlyScopes!: Scope[] | null;

  @Column({ name: 'stale_after_days', type: 'integer', nullable: true })
  staleAfterDays!: number | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'updated_by_id', type: 'uuid', nullable: true })
  updatedById!: string | null;
}
