import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../access/access-kinds.js';
import { DeclareErrors } from '../../catalog/declare-errors.decorator.js';
import { AuditService } from '../../access/audit/audit.service.js';
import {
  CurrentUser,
  Origin,
  type RequestOrigin,
  type UserPrincipal,
} from '../../access/principal.js';
import { uuidParam } from '../../common/index.js';
import { TokensService, UsersService } from '../account/index.js';
import { AdminTokensQueryDto, AdminUsersQueryDto, AuditEventsQueryDto } from './admin.dto.js';

/** Internal admin tooling: admin sessions only, never listed in the public catalog. */
@ApiTags('admin')
@Controller('admin')
@AdminOnly()
export class AdminController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
  ) {}

  @Get('users')
  @ApiOperation({ operationId: 'admin.users.list', summary: 'Every user, newest first.' })
  listUsers(@Query() query: AdminUsersQueryDto) {
    return this.users.list(query);
  }

  @Get('tokens')
  @ApiOperation({
    operationId: 'admin.tokens.list',
    summary: "Every user's tokens, metadata only, newest first.",
  })
  listTokens(@Query() query: AdminTokensQueryDto) {
    return this.tokens.listAll(query);
  }

  @Delete('tokens/:tokenId')
  @DeclareErrors('not_found')
  @HttpCode(204)
  @ApiOperation({ operationId: 'admin.tokens.revoke', summary: 'Revoke any token.' })
  @ApiNoContentResponse()
  async revokeToken(
    @Param('tokenId', uuidParam('token'))
    tokenId: string,
    @CurrentUser() admin: UserPrincipal,
    @Origin() origin: RequestOrigin,
  ): Promise<void> {
    await this.tokens.revokeAsAdmin(admin.user.id, tokenId, origin);
  }

  @Get('audit-events')
  @ApiOperation({
    operationId: 'admin.audit_events.list',
    summary: 'Audit events, newest first; filter by actor and action.',
  })
  listAuditEvents(@Query() query: AuditEventsQueryDto) {
    return this.audit.list({
      actorUserId: query.actor,
      action: query.action,
      limit: query.limit,
      cursor: query.cursor,
    });
  }
}
