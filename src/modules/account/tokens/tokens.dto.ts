import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsISO8601,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  IsObject,
} from 'class-validator';
import { MAX_ALLOWED_IPS, MAX_PINNED_POSTS } from '../../../access/token-constraints.js';
import { ALL_SCOPES, type Scope } from '../../../access/scopes.js';
import { NonBlankString, OneOf, toUpperCase, Trimmed } from '../../../common/index.js';
import {
  DEFAULT_ROTATION_GRACE_SECONDS,
  MAX_ROTATION_GRACE_SECONDS,
  type TokenView,
} from './tokens.service.js';

/** `{posts: [uuid, …]}`: the posts a token is pinned to. */
export class TokenResourcesDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    example: ['5d2f0c1e-8a43-4b1e-9c55-3f7f1d2a9b10'],
    description: `The posts the token may act on (1 to ${MAX_PINNED_POSTS}); with them, their replies, artifact, workspace sessions, runs, rules and bindings. Other posts answer 404.`,
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'pin at least one post, or send resources: null to unpin' })
  @ArrayMaxSize(MAX_PINNED_POSTS)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'each value must be a post id (UUID)' })
  posts!: string[];
}

/** The two constraint fields, as creation, editing and child tokens take them. */
function AllowedIpsField(): PropertyDecorator {
  return (target, key) => {
    ApiPropertyOptional({
      type: [String],
      nullable: true,
      example: ['203.0.113.0/24', '2001:db8::/32'],
      description: `IPv4 and IPv6 CIDRs (or single addresses) the token may be used from, at most ${MAX_ALLOWED_IPS}; the client address is read as the rate limiter reads it (trust proxy). Elsewhere it is refused with 403 ip_not_allowed. Omit or null: any address.`,
    })(target, key);
    IsOptional()(target, key);
    IsArray()(target, key);
    ArrayMinSize(1, { message: 'list at least one CIDR, or send null for any address' })(
      target,
      key,
    );
    ArrayMaxSize(MAX_ALLOWED_IPS)(target, key);
    IsString({ each: true })(target, key);
    MaxLength(64, { each: true })(target, key);
  };
}

function ResourcesField(): PropertyDecorator {
  return (target, key) => {
    ApiPropertyOptional({
      type: TokenResourcesDto,
      nullable: true,
      description:
        'Pin the token to selected posts. Omit or null: everything its owner has. The catalog marks the endpoints that honour it (honoursResourcePinning).',
    })(target, key);
    IsOptional()(target, key);
    // ValidateNested alone passes an array (it validates each element, and [] has none).
    IsObject({ message: 'resources must be an object such as {"posts": [postId, …]}, or null' })(
      target,
      key,
    );
    ValidateNested()(target, key);
    Type(() => TokenResourcesDto)(target, key);
  };
}

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

  @AllowedIpsField()
  allowedIps?: string[] | null;

  @ResourcesField()
  resources?: TokenResourcesDto | null;
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
  @ApiProperty({
    type: [String],
    nullable: true,
    description: 'The CIDRs the token may be used from (null: any address).',
  })
  allowedIps!: string[] | null;
  @ApiProperty({
    type: TokenResourcesDto,
    nullable: true,
    description: 'The posts the token is pinned to (null: all its owner has).',
  })
  resources!: TokenResourcesDto | null;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Set on a child token: the token that minted it.',
  })
  parentId!: string | null;
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

export class EditTokenDto {
  @ApiPropertyOptional({
    enum: ALL_SCOPES,
    isArray: true,
    example: ['posts:read'],
    description: "The new scopes: a subset of the token's current ones (narrowing only).",
  })
  @IsOptional()
  @ScopeList()
  scopes?: Scope[];

  @AllowedIpsField()
  allowedIps?: string[] | null;

  @ResourcesField()
  resources?: TokenResourcesDto | null;
}

export const MAX_CHILD_TTL_SECONDS = 24 * 3600;

export class CreateChildTokenDto {
  @ApiProperty({ example: 'agent: summarise replies', minLength: 1, maxLength: 100 })
  @NonBlankString(100)
  name!: string;

  @ApiProperty({
    enum: ALL_SCOPES,
    isArray: true,
    example: ['posts:read'],
    description: "A subset of the calling token's scopes.",
  })
  @ScopeList()
  scopes!: Scope[];

  @ApiProperty({
    type: 'integer',
    minimum: 60,
    maximum: MAX_CHILD_TTL_SECONDS,
    example: 3600,
    description:
      "How long the child lives, in seconds (1 minute to 24 hours), and never past the calling token's own expiry.",
  })
  @IsInt()
  @Min(60)
  @Max(MAX_CHILD_TTL_SECONDS)
  ttlSeconds!: number;

  @AllowedIpsField()
  allowedIps?: string[] | null;

  @ResourcesField()
  resources?: TokenResourcesDto | null;
}

export class CreatedChildTokenDto extends CreatedTokenDto {}

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
