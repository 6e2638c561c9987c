import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
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
import {
  asHashtag,
  NonBlankString,
  OneOf,
  PageQueryDto,
  Tags,
  Trimmed,
} from '../../../common/index.js';
import {
  POST_STATUSES,
  type PostStatus,
  PRICING_MODELS,
  type PricingModel,
  REPLY_STATES,
  type ReplyState,
} from './post.entity.js';
import { MemberTagList } from '../../account/index.js';

export const MAX_BODY = 20_000;
/** Characters of the body a feed item carries as its `excerpt`. */
export const FEED_EXCERPT_LENGTH = 280;
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
export const FEED_TIMES = ['upcoming', 'past', 'all'] as const;
export const FEED_SORTS = ['recent', 'upcoming'] as const;
/** What a feed item may carry beyond its excerpt. */
export const FEED_INCLUDES = ['body'] as const;

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
    description:
      "Empty: everyone. Set: the author and the author's members holding at least one of these tags (PUT /api/memberships/members/{memberId}/tags). Normalised like member tags: trimmed, without a leading #, lower-cased, once each; then 1–32 of a-z, 0-9 or -.",
  })
  @IsOptional()
  @MemberTagList(MAX_AUDIENCE_TAGS)
  audienceTags?: string[];

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_HASHTAGS,
    example: ['#Launch', 'berlin'],
    description: 'With or without #; stored lower-cased without it, once each.',
  })
  @IsOptional()
  @Tags(asHashtag)
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
  @Tags()
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
  @NonBlankString(200)
  title!: string;

  @ApiProperty({ maxLength: MAX_BODY, example: 'Come by **stall 12**.', description: 'Markdown.' })
  @IsString()
  @MaxLength(MAX_BODY)
  body!: string;

  @ApiProperty({ enum: POST_STATUSES, example: 'PUBLISHED' })
  @OneOf(POST_STATUSES)
  status!: PostStatus;

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
  @NonBlankString(200)
  title?: string;

  @ApiPropertyOptional({ maxLength: MAX_BODY })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_BODY)
  body?: string;

  @ApiPropertyOptional({ enum: POST_STATUSES })
  @IsOptional()
  @OneOf(POST_STATUSES)
  status?: PostStatus;
}

export class SetPricingDto {
  @ApiProperty({ enum: PRICING_MODELS, example: 'one_time' })
  @OneOf(PRICING_MODELS)
  model!: PricingModel;

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
  @OneOf(CURRENCIES)
  currency!: (typeof CURRENCIES)[number];
}

export class RequestRevisionDto {
  @ApiProperty({ minLength: 1, maxLength: 2000, example: 'Please add the date.' })
  @NonBlankString(2000)
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
  @Trimmed(asHashtag)
  @Matches(/^[\p{L}\p{N}_]{1,50}$/u, { message: 'must be 1–50 letters, digits or _' })
  hashtag?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  placeId?: string;

  @ApiPropertyOptional({
    enum: FEED_TIMES,
    default: 'all',
    description: 'By scheduled time.',
  })
  @IsOptional()
  @OneOf(FEED_TIMES)
  time?: (typeof FEED_TIMES)[number];

  @ApiPropertyOptional({
    enum: FEED_SORTS,
    default: 'recent',
    description: 'recent: newest first; upcoming: soonest scheduled first.',
  })
  @IsOptional()
  @OneOf(FEED_SORTS)
  sort?: (typeof FEED_SORTS)[number];

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
    enum: POST_STATUSES,
    description: 'DRAFT lists your own drafts.',
  })
  @IsOptional()
  @OneOf(POST_STATUSES)
  status?: PostStatus;

  @ApiPropertyOptional({
    enum: FEED_INCLUDES,
    description: `body: each item also carries its whole body. Without it, items carry an excerpt (the first ${FEED_EXCERPT_LENGTH} characters) and GET /api/posts/{postId} has the rest.`,
  })
  @IsOptional()
  @OneOf(FEED_INCLUDES)
  include?: (typeof FEED_INCLUDES)[number];
}

export class PricingViewDto {
  @ApiProperty({ enum: PRICING_MODELS }) model!: PricingModel;
  @ApiProperty({ example: 1500 }) amount!: number;
  @ApiProperty({ example: 'eur' }) currency!: string;
  @ApiProperty({ description: 'Always true: a price cannot change once set.' }) locked!: boolean;
}

export class PurchaseHintDto {
  @ApiProperty({ example: 'billing.checkout_links.create', description: 'Catalog endpoint id.' })
  endpoint!: string;
  @ApiProperty({ example: 'POST' }) method!: string;
  @ApiProperty({ example: '/api/billing/checkout-links', description: 'Send {postId}.' })
  path!: string;
}

export class PostDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'k3J9xQ2mWp' }) referenceId!: string;
  @ApiProperty({ format: 'uuid' }) authorId!: string;
  @ApiProperty({ example: 'Winter market this Saturday' }) title!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Null on a priced post the caller may not read (see `purchase`); its author and entitled buyers read it.',
  })
  body!: string | null;
  @ApiProperty({ enum: POST_STATUSES }) status!: PostStatus;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) placeId!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) scheduledAt!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Europe/Berlin' }) timezone!: string | null;
  @ApiProperty({ type: [String] }) audienceTags!: string[];
  @ApiProperty({ type: [String], example: ['launch'] }) hashtags!: string[];
  @ApiPropertyOptional({ type: [String], description: 'Author only.' }) mentions?: string[];
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) parentPostId!: string | null;
  @ApiProperty() requiresReplyApproval!: boolean;
  @ApiProperty({
    enum: REPLY_STATES,
    nullable: true,
    type: String,
  })
  replyState!: ReplyState | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'The parent author’s note when a revision was requested.',
  })
  revisionNote?: string | null;
  @ApiProperty({ type: PricingViewDto, nullable: true }) pricing!: PricingViewDto | null;
  @ApiProperty({
    type: PurchaseHintDto,
    nullable: true,
    description:
      'Set when the post is priced and the caller may not read it: its body, artifact and replies are for its author and buyers. Buy it with a checkout link.',
  })
  purchase!: PurchaseHintDto | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) publishedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class PostPageDto {
  @ApiProperty({ type: [PostDto] }) items!: PostDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

/**
 * A post in the feed: a top-level post, so without the fields only a reply has, and with an
 * excerpt of its body instead of the body (the whole body only with `include=body`). A list needs
 * the start of each post; the bytes of whole bodies were a large share of what a feed page cost
 * to build, parse and send.
 */
export class PostFeedItemDto extends OmitType(PostDto, [
  'body',
  'parentPostId',
  'replyState',
  'revisionNote',
] as const) {
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description:
      'Only with include=body: the whole body, as GET /api/posts/{postId} gives it (null when locked).',
  })
  body?: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    maxLength: FEED_EXCERPT_LENGTH,
    description: `The first ${FEED_EXCERPT_LENGTH} characters of the body (all of it when shorter). Null on a priced post the caller may not read (see \`purchase\`).`,
  })
  excerpt!: string | null;
  @ApiProperty({
    description:
      'True when the excerpt leaves part of the body out: GET /api/posts/{postId} (or include=body) has the whole body.',
  })
  bodyTruncated!: boolean;
}

export class PostFeedPageDto {
  @ApiProperty({ type: [PostFeedItemDto] }) items!: PostFeedItemDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
