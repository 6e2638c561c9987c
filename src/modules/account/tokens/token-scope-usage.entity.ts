import { Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Scope } from '../../../access/scopes.js';
import { PersonalAccessTokenEntity } from './personal-access-token.entity.js';

/**
 * Which of a token's scopes it actually used, per UTC day: one row per (token, day, scope), for
 * the least-privilege hints in Settings → API. Written off the request path, at most once per
 * process for each row.
 */
@Entity({ name: 'token_scope_usage' })
export class TokenScopeUsageEntity {
  @PrimaryColumn({ name: 'token_id', type: 'uuid' })
  tokenId!: string;

  /** UTC calendar day, `YYYY-MM-DD`. */
  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'text' })
  scope!: Scope;

  @ManyToOne(() => PersonalAccessTokenEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'token_id' })
  token?: PersonalAccessTokenEntity;
}
