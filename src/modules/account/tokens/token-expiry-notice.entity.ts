import { CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { PersonalAccessTokenEntity } from './personal-access-token.entity.js';

export const TOKEN_EXPIRY_STAGES = ['30d', '7d', '1d', 'expired'] as const;
export type TokenExpiryStage = (typeof TOKEN_EXPIRY_STAGES)[number];

/**
 * One row per expiry warning given (token, stage). The primary key is what makes a warning go
 * out once however many instances sweep: the sweep inserts with ON CONFLICT DO NOTHING and
 * records the event only when its insert won, in one transaction.
 */
@Entity({ name: 'token_expiry_notices' })
export class TokenExpiryNoticeEntity {
  @PrimaryColumn({ name: 'token_id', type: 'uuid' })
  tokenId!: string;

  @ManyToOne(() => PersonalAccessTokenEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'token_id' })
  token?: PersonalAccessTokenEntity;

  @PrimaryColumn({ type: 'text' })
  stage!: TokenExpiryStage;

  @CreateDateColumn({ name: 'noticed_at', type: 'timestamptz', precision: 3 })
  noticedAt!: Date;
}
