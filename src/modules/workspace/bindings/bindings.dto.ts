import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { BINDING_KINDS, type BindingKind } from './workspace-binding.entity.js';

export const BINDING_NAME = /^[A-Z0-9_]{1,64}$/;
export const MAX_BINDING_VALUE_LENGTH = 8192;

/** Exactly one of `value` or `tokenId`. */
export class PutBindingDto {
  @ApiPropertyOptional({
    maxLength: MAX_BINDING_VALUE_LENGTH,
    example: 'sk_live_…',
    description: 'A secret or setting; write-only (never returned), encrypted at rest.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_BINDING_VALUE_LENGTH)
  value?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'One of your personal access tokens (active), bound by reference.',
  })
  @IsOptional()
  @IsUUID('all')
  tokenId?: string;
}

export class BindingDto {
  @ApiProperty({ example: 'OPENAI_API_KEY', pattern: '^[A-Z0-9_]{1,64}$' }) name!: string;
  @ApiProperty({
    enum: BINDING_KINDS,
    description: 'VALUE: a write-only value; TOKEN: a reference to one of your PATs.',
  })
  kind!: BindingKind;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, example: null })
  tokenId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class BindingListDto {
  @ApiProperty({ type: [BindingDto] }) items!: BindingDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Always null: one page holds all.' })
  nextCursor!: string | null;
}
