import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export const REFERRAL_CODE = /^[A-Za-z0-9_-]{3,40}$/;
export const MAX_CO_SELLER_SHARE_BPS = 10_000;

/** Exactly one of `postId` or `profile: true`. */
export class ReferralTargetDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'One of your posts, or a post you can see. Not with `profile`.',
  })
  @IsOptional()
  @IsUUID('all', { message: 'must be the id of a post' })
  postId?: string;

  @ApiPropertyOptional({
    example: true,
    description: 'true: the link leads to your creator profile. Not with `postId`.',
  })
  @IsOptional()
  @IsBoolean()
  profile?: boolean;
}

export class CreateReferralPathDto {
  @ApiProperty({ type: ReferralTargetDto, example: { profile: true } })
  @IsDefined()
  @ValidateNested()
  @Type(() => ReferralTargetDto)
  target!: ReferralTargetDto;

  @ApiPropertyOptional({
    example: 'spring-launch',
    pattern: REFERRAL_CODE.source,
    description:
      'The link’s code, 3–40 characters A–Z, a–z, 0–9, `_` and `-`; unique ignoring case. Generated (8 base62 characters) when left out.',
  })
  @IsOptional()
  @IsString()
  @Matches(REFERRAL_CODE, { message: 'must be 3–40 characters A-Z, a-z, 0-9, _ or -' })
  code?: string;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_CO_SELLER_SHARE_BPS,
    default: 0,
    example: 1500,
    description:
      'The co-seller’s share of a sale this link brings, in basis points (1500 = 15 %). Billing reads it when crediting the referrer.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_CO_SELLER_SHARE_BPS)
  coSellerShareBps?: number;
}

export class ReferralTargetViewDto {
  @ApiPropertyOptional({ format: 'uuid' }) postId?: string;
  @ApiPropertyOptional({ example: true }) profile?: boolean;
}

export class ReferralPathDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'spring-launch' }) code!: string;
  @ApiProperty({
    example: 'https://getpaidx.example/go/spring-launch',
    description: 'The link to share: redirects to the target with `?ref={code}`.',
  })
  url!: string;
  @ApiProperty({ type: ReferralTargetViewDto, example: { profile: true } })
  target!: ReferralTargetViewDto;
  @ApiProperty({
    example: 'https://getpaidx.example/creators/7b0e…',
    description: 'Where the link lands (before `?ref=` is added).',
  })
  targetUrl!: string;
  @ApiProperty({ example: 1500 }) coSellerShareBps!: number;
  @ApiProperty({ example: 0, description: 'How often /go/{code} was followed.' }) visits!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class ReferralPathPageDto {
  @ApiProperty({ type: [ReferralPathDto] }) items!: ReferralPathDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
