import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsISO8601,
  IsOptional,
} from 'class-validator';
import { ALL_SCOPES, type Scope } from '../../../access/scopes.js';
import { NonBlankString, OneOf } from '../../../common/index.js';
import type { TokenView } from './tokens.service.js';

export class CreateTokenDto {
  @ApiProperty({ example: 'nightly export script', minLength: 1, maxLength: 100 })
  @NonBlankString(100)
  name!: string;

  @ApiProperty({
    enum: ALL_SCOPES,
    isArray: true,
    example: ['posts:read'],
    description: 'Pick the smallest set the job needs.',
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'choose at least one scope' })
  @ArrayMaxSize(ALL_SCOPES.length)
  @ArrayUnique()
  @OneOf(ALL_SCOPES, { each: true, message: `each value must be one of: ${ALL_SCOPES.join(', ')}` })
  scopes!: Scope[];

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2027-01-31T00:00:00Z',
    description: 'In the future and at most one year out. Omit for no expiry.',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  expiresAt?: string;
}

export class TokenDto implements TokenView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'nightly export script' }) name!: string;
  @ApiProperty({
    example: 'gpx_pat_AbCd',
    description: 'The first characters of the token, to recognise it.',
  })
  prefix!: string;
  @ApiProperty({ enum: ALL_SCOPES, isArray: true }) scopes!: Scope[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastUsedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastUsedIp!: string | null;
}

export class CreatedTokenDto extends TokenDto {
  @ApiProperty({
    example: 'gpx_pat_3Xq…',
    description: 'The raw token. Shown in this response only; store it now.',
  })
  token!: string;
}

export class TokenListDto {
  @ApiProperty({ type: [TokenDto] }) items!: TokenDto[];
}
