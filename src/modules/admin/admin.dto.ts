import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { OneOf, PageQueryDto } from '../../common/index.js';

export class AdminUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Substring of the email.', example: 'example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;
}

export class AdminTokensQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Only this user's tokens." })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({
    enum: ['policy'],
    description:
      'policy: only live tokens the current token policy would not allow, each with the rules it breaks (violates).',
  })
  @IsOptional()
  @OneOf(['policy'])
  violates?: 'policy';
}

export class AuditEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Events by this user.' })
  @IsOptional()
  @IsUUID()
  actor?: string;

  @ApiPropertyOptional({
    example: 'access.denied',
    description: 'Events of this action, e.g. token.created.',
  })
  @IsOptional()
  @Matches(/^[a-z_]+\.[a-z_]+$/, { message: 'must look like area.event, e.g. token.created' })
  action?: string;
}
