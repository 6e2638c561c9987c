import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
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
import { TokenPolicyService, TokensService, UsersService } from '../account/index.js';
import { AdminTokensQueryDto, AdminUsersQueryDto, AuditEventsQueryDto } from './admin.dto.js';
import { PutTokenPolicyDto } from './token-policy.dto.js';

/** Internal admin tooling: admin sessions only, never listed in the public catalog. */
@ApiTags('admin')
@Controller('admin')
@AdminOnly()
export class AdminController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly tokenPolicy: TokenPolicyService,
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
    summary:
      "Every user's tokens, metadata only, newest first; ?violates=policy: only live tokens outside the current token policy, with the rules each breaks.",
  })
  listTokens(@Query() query: AdminTokensQueryDto) {
    const { violates, ...page } = query;
    return violates === 'policy' ? this.tokenPolicy.listViolators(page) : this.tokens.listAll(page);
  }

  @Get('token-policy')
  @ApiOperation({
    operationId: 'admin.token_policy.get',
    summary:
      'The token policy in force, where each value comes from (config or override), the TOKEN_* defaults and the override.',
  })
  getTokenPolicy() {
    return this.tokenPolicy.describe();
  }

  @Put('token-policy')
  @ApiOperation({
    operationId: 'admin.token_policy.put',
    summary:
      'Replace the admin override of the token policy (absent or null fields follow the configuration); audited. Existing tokens are not changed: see GET /api/admin/tokens?violates=policy.',
  })
  putTokenPolicy(
    @Body() body: PutTokenPolicyDto,
    @CurrentUser() admin: UserPrincipal,
    @Origin() origin: RequestOrigin,
  ) {
    return this.tokenPolicy.update(admin.user.id, body, origin);
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
