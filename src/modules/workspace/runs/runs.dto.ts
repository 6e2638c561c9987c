import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { OneOf, PageQueryDto } from '../../../common/index.js';
import {
  RUN_STATUSES,
  RUN_TRIGGERS,
  type RunStatus,
  type RunTrigger,
} from './automation-run.entity.js';

export const MAX_PROMPT_LENGTH = 8000;

export class CreateRunDto {
  @ApiProperty({ format: 'uuid', description: 'One of your posts: the run acts in its workspace.' })
  @IsUUID('all')
  postId!: string;

  @ApiProperty({
    minLength: 1,
    maxLength: MAX_PROMPT_LENGTH,
    example: 'Summarise this week’s sales and update the post’s changelog.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_PROMPT_LENGTH)
  prompt!: string;

  @ApiProperty({
    minLength: 1,
    maxLength: 200,
    pattern: '^[A-Za-z0-9._:-]+$',
    example: 'weekly-summary-2026-11-28',
    description:
      'Your key for this request: the same key returns the same run; the same key with a different body is 409 idempotency_key_reused.',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,200}$/, {
    message: 'must be 1–200 characters of letters, digits, ".", "_", ":" and "-"',
  })
  idempotencyKey!: string;
}

export class RunListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only runs of this post (one of yours).' })
  @IsOptional()
  @IsUUID('all')
  postId?: string;

  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @OneOf(RUN_STATUSES)
  status?: RunStatus;
}

export class RunTriggerDto {
  @ApiProperty({ enum: RUN_TRIGGERS, example: 'API' }) type!: RunTrigger;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, example: null })
  ruleId!: string | null;
}

export class RunDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) postId!: string;
  @ApiProperty({ enum: RUN_STATUSES, example: 'QUEUED' }) status!: RunStatus;
  @ApiProperty({ type: RunTriggerDto }) trigger!: RunTriggerDto;
  @ApiProperty({ description: 'The (rendered) prompt the run executes.' }) prompt!: string;
  @ApiProperty({ example: 'small' }) workloadProfile!: string;
  @ApiProperty({ nullable: true, type: String, example: 'weekly-summary-2026-11-28' })
  idempotencyKey!: string | null;
  @ApiProperty({
    enum: ['local', 'http'],
    example: 'local',
    description: '`local`: the built-in stand-in controller executed it.',
  })
  controller!: string;
  @ApiProperty({ nullable: true, type: String, example: null }) output!: string | null;
  @ApiProperty({ nullable: true, type: String, example: null }) error!: string | null;
  @ApiProperty({ example: 0, description: 'Claims by a worker (more than 1 after a lost worker).' })
  attempts!: number;
  @ApiProperty({ format: 'date-time', description: 'When it was queued.' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, example: null })
  startedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, example: null })
  finishedAt!: string | null;
}

export class RunPageDto {
  @ApiProperty({ type: [RunDto] }) items!: RunDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export const REPORTED_STATES = ['RUNNING', 'SUCCEEDED', 'FAILED'] as const;
export type ReportedState = (typeof REPORTED_STATES)[number];

export class RunEventDto {
  @ApiProperty({
    enum: REPORTED_STATES,
    description: 'RUNNING: progress (output so far); SUCCEEDED or FAILED: the end.',
  })
  @OneOf(REPORTED_STATES)
  state!: ReportedState;

  @ApiPropertyOptional({ maxLength: 65536 })
  @IsOptional()
  @IsString()
  @MaxLength(65536)
  output?: string;

  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  error?: string;
}

export class RunEventAckDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: RUN_STATUSES }) status!: RunStatus;
}
