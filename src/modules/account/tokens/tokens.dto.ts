import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsISO8601,
  IsInt,
  IsOptional,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { ALL_SCOPES, type Scope } from '../../../access/scopes.js';
import { NonBlankString, OneOf, toUpperCase, Trimmed } from '../../../common/index.js';
import {
  DEFAULT_ROTATION_GRACE_SECONDS,
  MAX_ROTATION_GRACE_SECONDS,
  type TokenView,
} from './tokens.service.js';

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
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When this token replaced a rotated predecessor.',
  })
  rotatedAt!: string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description:
      "Until when the rotated-out predecessor's value still works (null: it no longer does).",
  })
  previousValueValidUntil!: string | null;
  @ApiProperty({
    enum: ALL_SCOPES,
    isArray: true,
    description:
      'The granted scopes this token relied on in the last 30 days (UTC days). A scope not listed is a candidate to remove.',
  })
  scopesUsedLast30Days!: Scope[];
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

/** The scope list as token creation takes it: known scopes, at least one, no repeats. */
function ScopeList(): PropertyDecorator {
  return (target, key) => {
    IsArray()(target, key);
    ArrayMinSize(1, { message: 'choose at least one scope' })(target, key);
    ArrayMaxSize(ALL_SCOPES.length)(target, key);
    ArrayUnique()(target, key);
    OneOf(ALL_SCOPES, {
      each: true,
      message: `each value must be one of: ${ALL_SCOPES.join(', ')}`,
    })(target, key);
  };
}

export class NarrowTokenDto {
  @ApiProperty({
    enum: ALL_SCOPES,
    isArray: true,
    example: ['posts:read'],
    description: "The new scopes: a subset of the token's current ones (narrowing only).",
  })
  @ScopeList()
  scopes!: Scope[];
}

export class RotateTokenDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_ROTATION_GRACE_SECONDS,
    default: DEFAULT_ROTATION_GRACE_SECONDS,
    description:
      'How long the old value keeps working, in seconds (0 to 7 days; default 1 hour). Afterwards it is refused as invalid_token.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ROTATION_GRACE_SECONDS)
  graceSeconds?: number;
}

export class RotatedTokenDto extends CreatedTokenDto {}

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export class TokenCheckDto {
  @ApiPropertyOptional({
    example: 'posts.create',
    description: 'A catalog endpoint id. Send this, or method and path.',
    maxLength: 200,
  })
  @IsOptional()
  @NonBlankString(200)
  endpointId?: string;

  @ApiPropertyOptional({ enum: HTTP_METHODS, example: 'POST' })
  @IsOptional()
  @Trimmed(toUpperCase)
  @OneOf(HTTP_METHODS)
  method?: string;

  @ApiPropertyOptional({
    example: '/api/posts',
    description:
      'The path you would call, e.g. /api/posts/{id} with a real id; a query string is ignored.',
    maxLength: 2000,
  })
  @IsOptional()
  @NonBlankString(2000)
  @Matches(/^\//, { message: 'must start with /' })
  path?: string;
}

export class TokenCheckResultDto {
  @ApiProperty() allowed!: boolean;
  @ApiProperty({ nullable: true, type: String, example: 'posts.create' }) endpointId!:
    string | null;
  @ApiProperty({ nullable: true, type: String, example: 'user' }) authKind!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'POST' }) method!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '/api/posts' }) path!: string | null;
  @ApiProperty({ enum: ALL_SCOPES, isArray: true }) requiredScopes!: Scope[];
  @ApiProperty({ enum: ALL_SCOPES, isArray: true }) missingScopes!: Scope[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'insufficient_scope',
    description:
      'Why not: the error code the route would answer with (e.g. insufficient_scope, session_required), or unknown_route. Null when allowed.',
  })
  reason!: string | null;
}
