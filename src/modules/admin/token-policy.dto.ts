import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  Max,
  Min,
} from 'class-validator';
import { ALL_SCOPES, type Scope } from '../../access/scopes.js';
import { OneOf } from '../../common/index.js';

/**
 * The admin override of the token policy. PUT replaces it whole: a field absent or null follows
 * the configuration (TOKEN_*) again.
 */
export class PutTokenPolicyDto {
  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 0,
    maximum: 366,
    example: 90,
    description:
      'Maximum token lifetime in days (every new token then needs an expiry within it); 0: no maximum; null: TOKEN_MAX_LIFETIME_DAYS.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(366)
  maxLifetimeDays?: number | null;

  @ApiPropertyOptional({
    type: Boolean,
    nullable: true,
    description: 'Whether new tokens must have an expiry; null: TOKEN_EXPIRY_REQUIRED.',
  })
  @IsOptional()
  @IsBoolean()
  expiryRequired?: boolean | null;

  @ApiPropertyOptional({
    enum: ALL_SCOPES,
    isArray: true,
    nullable: true,
    example: ['payouts:manage'],
    description:
      "Scopes only admins' tokens may hold ([] for none); null: TOKEN_ADMIN_ONLY_SCOPES.",
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ALL_SCOPES.length)
  @ArrayUnique()
  @OneOf(ALL_SCOPES, { each: true, message: `each value must be one of: ${ALL_SCOPES.join(', ')}` })
  adminOnlyScopes?: Scope[] | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 0,
    maximum: 3650,
    example: 365,
    description:
      'Revoke tokens unused this many days (the owner is warned 14 days before); 0: off; at least 30 otherwise; null: TOKEN_STALE_AFTER_DAYS.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3650)
  staleAfterDays?: number | null;
}
