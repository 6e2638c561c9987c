import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { OneOf, PageQueryDto, Trimmed } from '../../../common/index.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../deliveries/webhook-delivery.entity.js';
import {
  DELIVERY_ERROR_CLASSES,
  type DeliveryErrorClass,
} from '../deliveries/webhook-transport.js';

export const MAX_WEBHOOK_URL_LENGTH = 2000;
export const MAX_ENDPOINT_EVENTS = 50;

const URL_DESCRIPTION =
  'Where events are POSTed. Must be https:// (http:// too when the server sets WEBHOOK_ALLOW_PRIVATE_TARGETS, for local development); addresses that resolve to loopback, private, link-local, metadata or multicast ranges are refused.';
const EVENTS_DESCRIPTION =
  'The event types to send here, from the catalog’s `webhookEvents` (e.g. `post.published`).';

export class CreateWebhookEndpointDto {
  @ApiProperty({
    example: 'https://hooks.example.com/getpaidx',
    maxLength: MAX_WEBHOOK_URL_LENGTH,
    description: URL_DESCRIPTION,
  })
  @MaxLength(MAX_WEBHOOK_URL_LENGTH)
  @IsString()
  @Trimmed()
  url!: string;

  @ApiProperty({
    type: [String],
    example: ['post.published', 'reply.submitted'],
    minItems: 1,
    maxItems: MAX_ENDPOINT_EVENTS,
    description: EVENTS_DESCRIPTION,
  })
  @IsString({ each: true })
  @ArrayMaxSize(MAX_ENDPOINT_EVENTS)
  @ArrayMinSize(1)
  @IsArray()
  events!: string[];

  @ApiPropertyOptional({ example: 'Zapier: new posts', maxLength: 500 })
  @IsOptional()
  @MaxLength(500)
  @IsString()
  @Trimmed()
  description?: string;
}

export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({
    example: 'https://hooks.example.com/getpaidx',
    maxLength: MAX_WEBHOOK_URL_LENGTH,
    description: URL_DESCRIPTION,
  })
  @IsOptional()
  @MaxLength(MAX_WEBHOOK_URL_LENGTH)
  @IsString()
  @Trimmed()
  url?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['post.published'],
    minItems: 1,
    maxItems: MAX_ENDPOINT_EVENTS,
    description: EVENTS_DESCRIPTION,
  })
  @IsOptional()
  @IsString({ each: true })
  @ArrayMaxSize(MAX_ENDPOINT_EVENTS)
  @ArrayMinSize(1)
  @IsArray()
  events?: string[];

  @ApiPropertyOptional({ example: 'Zapier: new posts', maxLength: 500 })
  @IsOptional()
  @MaxLength(500)
  @IsString()
  @Trimmed()
  description?: string;

  @ApiPropertyOptional({
    example: true,
    description:
      'false stops deliveries (pending ones wait); true resumes them and clears a disabled reason.',
  })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class WebhookEndpointDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'https://hooks.example.com/getpaidx' }) url!: string;
  @ApiProperty({ nullable: true, type: String, example: 'Zapier: new posts' })
  description!: string | null;
  @ApiProperty({ type: [String], example: ['post.published'] }) events!: string[];
  @ApiProperty({ example: true }) enabled!: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    example: null,
    description:
      'Why the server disabled the endpoint (it answered 410 Gone, or failed for three days); null otherwise.',
  })
  disabledReason!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'http_5xx: answered 503',
    description: 'The last failed attempt: its error class and a short account.',
  })
  lastError!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastErrorAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastSuccessAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description:
      'Until when the secret before the last rotation still signs, alongside the new one.',
  })
  previousSecretExpiresAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class CreatedWebhookEndpointDto extends WebhookEndpointDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description:
      'The signing secret, shown this once (Standard Webhooks `whsec_` format); store it with the receiver.',
  })
  secret!: string;
}

export class WebhookEndpointListDto {
  @ApiProperty({ type: [WebhookEndpointDto] }) items!: WebhookEndpointDto[];
}

export class RotatedSecretDto {
  @ApiProperty({ example: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD', description: 'Shown once.' })
  secret!: string;
  @ApiProperty({
    format: 'date-time',
    description:
      'Until then the previous secret keeps signing too (two v1 signatures per request).',
  })
  previousSecretExpiresAt!: string;
}

export class TestSentDto {
  @ApiProperty({ format: 'uuid', description: 'The recorded webhook.test event.' })
  eventId!: string;
  @ApiProperty({ format: 'uuid', description: 'Its delivery, in the endpoint’s delivery log.' })
  deliveryId!: string;
  @ApiProperty({
    example: 'msg_2f1d8c0b7e44…',
    description: 'The `webhook-id` header it is sent with.',
  })
  webhookId!: string;
}

export class DeliveryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, example: 'failed' })
  @IsOptional()
  @OneOf(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}

export class DeliveryAttemptDto {
  @ApiProperty({ format: 'date-time' }) attemptedAt!: string;
  @ApiProperty({ nullable: true, type: Number, example: 200 }) responseStatus!: number | null;
  @ApiProperty({ example: 84 }) latencyMs!: number;
  @ApiProperty({ enum: DELIVERY_ERROR_CLASSES, nullable: true, example: null })
  errorClass!: DeliveryErrorClass | null;
  @ApiProperty({ nullable: true, type: String, example: null }) error!: string | null;
  @ApiProperty({
    example: 'ok',
    description: 'The start of the response body (at most 1,024 characters).',
  })
  responseBody!: string;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) endpointId!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ example: 'post.published' }) eventType!: string;
  @ApiProperty({ example: 'msg_…', description: 'The `webhook-id` sent on every attempt.' })
  webhookId!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, example: 'succeeded' }) status!: DeliveryStatus;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When a pending delivery is tried next; null once it succeeded or gave up.',
  })
  nextRetryAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  deliveredAt!: string | null;
  @ApiProperty({ type: [DeliveryAttemptDto], description: 'Every attempt, oldest first.' })
  attempts!: DeliveryAttemptDto[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto] }) items!: WebhookDeliveryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
