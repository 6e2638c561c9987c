import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { OneOf, PageQueryDto } from '../../../common/index.js';
import { MAX_PROMPT_LENGTH } from '../runs/runs.dto.js';
import {
  RULE_TRIGGERS,
  type RuleTrigger,
  WORKLOAD_PROFILES,
  type WorkloadProfile,
} from './automation-rule.entity.js';

export const MAX_COOLDOWN_SECONDS = 30 * 24 * 3600;

export class RuleTriggerInputDto {
  @ApiProperty({ enum: RULE_TRIGGERS, example: 'SCHEDULE' })
  @OneOf(RULE_TRIGGERS)
  type!: RuleTrigger;

  @ApiPropertyOptional({
    example: '0 9 * * 1-5',
    description:
      'SCHEDULE only (required there): 5 fields, minute hour day-of-month month day-of-week.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cron?: string;

  @ApiPropertyOptional({
    example: 'Europe/Berlin',
    description: 'SCHEDULE only: the IANA time zone the expression is read in (default UTC).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;
}

export class CreateRuleDto {
  @ApiProperty({ format: 'uuid', description: 'One of your posts.' })
  @IsUUID('all')
  postId!: string;

  @ApiProperty({ type: RuleTriggerInputDto, example: { type: 'SCHEDULE', cron: '0 9 * * 1-5' } })
  @IsDefined()
  @ValidateNested()
  @Type(() => RuleTriggerInputDto)
  trigger!: RuleTriggerInputDto;

  @ApiPropertyOptional({ default: true, description: 'false pauses the rule, keeping its setup.' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    default: 0,
    minimum: 0,
    maximum: MAX_COOLDOWN_SECONDS,
    description: 'Firings closer together than this are skipped (and recorded as skipped).',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_COOLDOWN_SECONDS)
  cooldownSeconds?: number;

  @ApiProperty({
    minLength: 1,
    maxLength: MAX_PROMPT_LENGTH,
    example: 'New sale of {{event.postId}}: thank the buyer.',
    description:
      'The run’s prompt. Placeholders: {{postId}}, {{ruleId}}, {{trigger}}, {{firedAt}}, {{payload.…}} (an inbound hook’s JSON body), {{event.…}} (the purchase event’s data).',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_PROMPT_LENGTH)
  promptTemplate!: string;

  @ApiPropertyOptional({ enum: WORKLOAD_PROFILES, default: 'small' })
  @IsOptional()
  @OneOf(WORKLOAD_PROFILES)
  workloadProfile?: WorkloadProfile;
}

export class UpdateRuleDto {
  @ApiPropertyOptional({
    type: RuleTriggerInputDto,
    description: 'A SCHEDULE rule’s new cron/timezone; the trigger type cannot change.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RuleTriggerInputDto)
  trigger?: RuleTriggerInputDto;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_COOLDOWN_SECONDS })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_COOLDOWN_SECONDS)
  cooldownSeconds?: number;

  @ApiPropertyOptional({ minLength: 1, maxLength: MAX_PROMPT_LENGTH })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_PROMPT_LENGTH)
  promptTemplate?: string;

  @ApiPropertyOptional({ enum: WORKLOAD_PROFILES })
  @IsOptional()
  @OneOf(WORKLOAD_PROFILES)
  workloadProfile?: WorkloadProfile;
}

export class RuleListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  postId?: string;
}

export class RuleTriggerDto {
  @ApiProperty({ enum: RULE_TRIGGERS }) type!: RuleTrigger;
  @ApiProperty({ nullable: true, type: String, example: '0 9 * * 1-5' }) cron!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Europe/Berlin' })
  timezone!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: null,
    description: 'WEBHOOK_EVENT: the inbound URL to POST signed events to.',
  })
  hookUrl!: string | null;
}

export class RuleDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) postId!: string;
  @ApiProperty({ type: RuleTriggerDto }) trigger!: RuleTriggerDto;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ example: 0 }) cooldownSeconds!: number;
  @ApiProperty() promptTemplate!: string;
  @ApiProperty({ enum: WORKLOAD_PROFILES }) workloadProfile!: WorkloadProfile;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, example: null })
  nextFireAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, example: null })
  lastFiredAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class CreatedRuleDto extends RuleDto {
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'whsec_3kT9…',
    description:
      'WEBHOOK_EVENT: the shared secret, shown this once. Send it as X-GPX-Webhook-Secret and sign with it.',
  })
  hookSecret!: string | null;
}

export class RulePageDto {
  @ApiProperty({ type: [RuleDto] }) items!: RuleDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class HookAcceptedDto {
  @ApiProperty({
    enum: ['QUEUED', 'SKIPPED_COOLDOWN', 'DISABLED'],
    description:
      'QUEUED: a run was queued; SKIPPED_COOLDOWN: within the cooldown (recorded); DISABLED: the rule is paused.',
  })
  outcome!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) runId!: string | null;
}
