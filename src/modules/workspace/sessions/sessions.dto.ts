import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { OneOf, PageQueryDto } from '../../../common/index.js';
import { SESSION_MODES, type SessionMode } from '../controller/workspace-controller.js';
import { SESSION_STATUSES, type SessionStatus } from './workspace-session.entity.js';

export class StartSessionDto {
  @ApiProperty({ format: 'uuid', description: 'One of your posts.' })
  @IsUUID('all')
  postId!: string;

  @ApiProperty({ enum: SESSION_MODES, example: 'EDIT' })
  @OneOf(SESSION_MODES)
  mode!: SessionMode;
}

export class SessionListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  postId?: string;

  @ApiPropertyOptional({ enum: SESSION_STATUSES })
  @IsOptional()
  @OneOf(SESSION_STATUSES)
  status?: SessionStatus;
}

export class CloseAllSessionsDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this post’s sessions (one of yours).' })
  @IsOptional()
  @IsUUID('all')
  postId?: string;
}

export class WorkspaceSessionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) postId!: string;
  @ApiProperty({ enum: SESSION_MODES }) mode!: SessionMode;
  @ApiProperty({ enum: SESSION_STATUSES, example: 'ACTIVE' }) status!: SessionStatus;
  @ApiProperty({
    example: 'local://workspace/6f1c…/sessions/0e3b…?mode=edit',
    description: 'Where to open it. The local controller has no UI and names a local:// URL.',
  })
  url!: string;
  @ApiProperty({ enum: ['local', 'http'], example: 'local' }) controller!: string;
  @ApiProperty({ format: 'date-time', description: 'Absolute end of the session.' })
  expiresAt!: string;
  @ApiProperty({ format: 'date-time', description: 'Ends earlier if not resumed before this.' })
  idleExpiresAt!: string;
  @ApiProperty({ example: false, description: 'True when an active session was resumed.' })
  resumed!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, example: null })
  closedAt!: string | null;
}

export class WorkspaceSessionPageDto {
  @ApiProperty({ type: [WorkspaceSessionDto] }) items!: WorkspaceSessionDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class CloseAllResultDto {
  @ApiProperty({ example: 2, description: 'Active sessions closed.' }) closed!: number;
  @ApiProperty({
    example: 0,
    description: 'Sessions the controller could not stop (still active).',
  })
  failed!: number;
}
