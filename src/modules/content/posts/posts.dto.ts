import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PageQueryDto } from '../../../common/index.js';

export const MAX_BODY = 20_000;
export const MAX_HASHTAGS = 10;
export const MAX_MENTIONS = 20;
export const MAX_AUDIENCE_TAGS = 10;
export const CURRENCIES = [
  'usd',
  'eur',
  'gbp',
  'cad',
  'aud',
  'chf',
  'sek',
  'nok',
  'dkk',
  'jpy',
] as const;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** `#Launch`, `launch` and ` LAUNCH ` are one hashtag: stored lower-cased, without `#`, once. */
const normaliseHashtags = ({ value }: { value: unknown }) =>
  Array.isArray(value)
    ? [
        ...new Set(
          (value as unknown[]).map((v) =>
            typeof v === 'string' ? v.trim().replace(/^#/, '').toLowerCase() : v,
          ),
        ),
      ]
    : value;
const normaliseList = ({ value }: { value: unknown }) =>
  Array.isArray(value)
    ? [
        ...new Set(
          (value as unknown[]).map((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v)),
        ),
      ]
    : value;

export class PostFieldsDto {
  // A `string | null` property reflects as Object, so the type is spelled out for the schema.
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'A place from GET /api/places; null removes it.',
  })
  @IsOptional()
  @IsUUID()
  placeId?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'date-time',
    example: '2026-12-24T18:00:00Z',
    description: 'When the event happens; send timezone with it. null unschedules.',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  scheduledAt?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'Europe/Berlin',
    description: 'IANA time zone of scheduledAt.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string | null;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_AUDIENCE_TAGS,
    example: ['vip'],
    description: 'Empty: everyone. Set: only the author sees the post until memberships exist.',
  })
  @IsOptional()
  @Transform(normaliseList)
  @IsArray()
  @ArrayMaxSize(MAX_AUDIENCE_TAGS)
  @Matches(/^[a-z0-9_-]{1,30}$/, {
    each: true,
    message: 'each tag must be 1–30 of a-z, 0-9, _ or -',
  })
  audienceTags?: string[];

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_HASHTAGS,
    example: ['#Launch', 'berlin'],
    description: 'With or without #; stored lower-cased without it, once each.',
  })
  @IsOptional()
  @Transform(normaliseHashtags)
  @IsArray()
  @ArrayMaxSize(MAX_HASHTAGS)
  @Matches(/^[\p{L}\p{N}_]{1,50}$/u, {
    each: true,
    message: 'each hashtag must be 1–50 letters, digits or _',
  })
  hashtags?: string[];

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_MENTIONS,
    example: ['friend@example.com'],
    description: 'Email identities invited into the post (visible to the author only).',
  })
  @IsOptional()
  @Transform(normaliseList)
  @IsArray()
  @ArrayMaxSize(MAX_MENTIONS)
  @IsEmail({}, { each: true, message: 'each mention must be an email address' })
  mentions?: string[];

  @ApiPropertyOptional({ description: 'Replies to this post wait for your approval.' })
  @IsOptional()
  @IsBoolean()
  requiresReplyApproval?: boolean;
}

export class CreatePostDto extends PostFieldsDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Winter market this Saturday' })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'must not be blank' })
  @MaxLength(200)
  title!: string;

  @ApiProperty({ maxLength: MAX_BODY, example: 'Come by **stall 12**.', description: 'Markdown.' })
  @IsString()
  @MaxLength(MAX_BODY)
  body!: string;

  @ApiProperty({ enum: ['DRAFT', 'PUBLISHED'], example: 'PUBLISHED' })
  @IsIn(['DRAFT', 'PUBLISHED'])
  status!: 'DRAFT' | 'PUBLISHED';

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Makes this post a reply in that post’s thread.',
  })
  @IsOptional()
  @IsUUID()
  parentPostId?: string;
}

export class UpdatePostDto extends PostFieldsDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'must not be blank' })
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ maxLength: MAX_BODY })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_BODY)
  body?: string;

  @ApiPropertyOptional({ enum: ['DRAFT', 'PUBLISHED'] })
  @IsOptional()
  @IsIn(['DRAFT', 'PUBLISHED'])
  status?: 'DRAFT' | 'PUBLISHED';
}

export class SetPricingDto {
  @ApiProperty({ enum: ['one_time', 'subscription'], example: 'one_time' })
  @IsIn(['one_time', 'subscription'])
  model!: 'one_time' | 'subscription';

  @ApiProperty({
    minimum: 50,
    maximum: 1_000_000_00,
    example: 1500,
    description: 'In minor units (cents).',
  })
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(1_000_000_00)
  amount!: number;

  @ApiProperty({ enum: CURRENCIES, example: 'eur' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  )
  @IsIn(CURRENCIES)
  currency!: (typeof CURRENCIES)[number];
}

export class RequestRevisionDto {
  @ApiProperty({ minLength: 1, maxLength: 2000, example: 'Please add the date.' })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'must not be blank' })
  @MaxLength(2000)
  note!: string;
}

export class FeedQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only posts by this author.' })
  @IsOptional()
  @IsUUID()
  author?: string;

  @ApiPropertyOptional({
    example: 'launch',
    description: 'Only posts with this hashtag (with or without #).',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().replace(/^#/, '').toLowerCase() : value,
  )
  @Matches(/^[\p{L}\p{N}_]{1,50}$/u, { message: 'must be 1–50 letters, digits or _' })
  hashtag?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  placeId?: string;

  @ApiPropertyOptional({
    enum: ['upcoming', 'past', 'all'],
    default: 'all',
    description: 'By scheduled time.',
  })
  @IsOptional()
  @IsIn(['upcoming', 'past', 'all'])
  time?: 'upcoming' | 'past' | 'all';

  @ApiPropertyOptional({
    enum: ['recent', 'upcoming'],
    default: 'recent',
    description: 'recent: newest first; upcoming: soonest scheduled first.',
  })
  @IsOptional()
  @IsIn(['recent', 'upcoming'])
  sort?: 'recent' | 'upcoming';

  @ApiPropertyOptional({
    maxLength: 200,
    example: 'winter market',
    description: 'Full-text search over title and body.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({
    enum: ['DRAFT', 'PUBLISHED'],
    description: 'DRAFT lists your own drafts.',
  })
  @IsOptional()
  @IsIn(['DRAFT', 'PUBLISHED'])
  status?: 'DRAFT' | 'PUBLISHED';
}

export class PricingViewDto {
  @ApiProperty({ enum: ['one_time', 'subscription'] }) model!: 'one_time' | 'subscription';
  @ApiProperty({ example: 1500 }) amount!: number;
  @ApiProperty({ example: 'eur' }) currency!: string;
  @ApiProperty({ description: 'Always true: a price cannot change once set.' }) locked!: boolean;
}

export class PostDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'k3J9xQ2mWp' }) referenceId!: string;
  @ApiProperty({ format: 'uuid' }) authorId!: string;
  @ApiProperty({ example: 'Winter market this Saturday' }) title!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ enum: ['DRAFT', 'PUBLISHED'] }) status!: 'DRAFT' | 'PUBLISHED';
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) placeId!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) scheduledAt!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Europe/Berlin' }) timezone!: string | null;
  @ApiProperty({ type: [String] }) audienceTags!: string[];
  @ApiProperty({ type: [String], example: ['launch'] }) hashtags!: string[];
  @ApiPropertyOptional({ type: [String], description: 'Author only.' }) mentions?: string[];
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) parentPostId!: string | null;
  @ApiProperty() requiresReplyApproval!: boolean;
  @ApiProperty({
    enum: ['awaiting_review', 'accepted', 'needs_revision'],
    nullable: true,
    type: String,
  })
  replyState!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'The parent author’s note when a revision was requested.',
  })
  revisionNote?: string | null;
  @ApiProperty({ type: PricingViewDto, nullable: true }) pricing!: PricingViewDto | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) publishedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class PostPageDto {
  @ApiProperty({ type: [PostDto] }) items!: PostDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
