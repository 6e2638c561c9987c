import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../access/access-kinds.js';
import { CurrentUser, type UserPrincipal } from '../../../access/principal.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import { uuidParam } from '../../../common/index.js';
import {
  CloseAllResultDto,
  CloseAllSessionsDto,
  WorkspaceSessionDto,
  SessionListQueryDto,
  WorkspaceSessionPageDto,
  StartSessionDto,
} from './sessions.dto.js';
import { SessionsService } from './sessions.service.js';
import { HonoursResourcePinning } from '../../../access/token-resources.js';

/** Workspace sessions of your posts (VIEW or EDIT), started through the workspace controller. */
@ApiTags('workspace')
@HonoursResourcePinning()
@Controller('workspace/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  @RequireScopes('workspaces:manage')
  @DeclareErrors('not_found', 'credits_required', 'concurrency_limit', 'controllers_busy')
  @ApiOperation({
    operationId: 'workspace.sessions.start',
    summary:
      'Start a workspace session of one of your posts, or resume your active one of the same post and mode (resumed: true).',
  })
  @ApiCreatedResponse({ type: WorkspaceSessionDto })
  start(
    @Body() body: StartSessionDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<WorkspaceSessionDto> {
    return this.sessions.start(caller.user.id, body);
  }

  @Get()
  @RequireScopes('workspaces:manage')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'workspace.sessions.list',
    summary: 'Your workspace sessions, newest first, by post and status (paginated).',
  })
  @ApiOkResponse({ type: WorkspaceSessionPageDto })
  list(
    @Query() query: SessionListQueryDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<WorkspaceSessionPageDto> {
    return this.sessions.list(caller.user.id, query);
  }

  @Post('close-all')
  @HttpCode(200)
  @RequireScopes('workspaces:manage')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'workspace.sessions.close_all',
    summary:
      'Close all your active sessions (of one post, if postId is given); says how many closed and how many the controller failed to stop.',
  })
  @ApiOkResponse({ type: CloseAllResultDto })
  closeAll(
    @Body() body: CloseAllSessionsDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<CloseAllResultDto> {
    return this.sessions.closeAll(caller.user.id, body);
  }

  @Post(':id/close')
  @HttpCode(200)
  @RequireScopes('workspaces:manage')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'workspace.sessions.close',
    summary: 'Close one of your sessions (closing one already ended changes nothing).',
  })
  @ApiOkResponse({ type: WorkspaceSessionDto })
  close(
    @Param('id', uuidParam('session')) id: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<WorkspaceSessionDto> {
    return this.sessions.close(caller.user.id, id);
  }
}
