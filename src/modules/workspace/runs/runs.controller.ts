import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../access/access-kinds.js';
import { CurrentUser, type UserPrincipal } from '../../../access/principal.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import { uuidParam } from '../../../common/index.js';
import { CreateRunDto, RunDto, RunListQueryDto, RunPageDto } from './runs.dto.js';
import { RunsService } from './runs.service.js';
import { HonoursResourcePinning } from '../../../access/token-resources.js';

const runId = uuidParam('run');

/** Automation runs of your posts: queue one, poll it until it ends, cancel it. */
@ApiTags('workspace')
@HonoursResourcePinning()
@Controller('workspace/automations/runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Post()
  @HttpCode(202)
  @RequireScopes('workspaces:run')
  @DeclareErrors('not_found', 'idempotency_key_reused')
  @ApiOperation({
    operationId: 'workspace.runs.create',
    summary:
      'Queue an automation run of one of your posts; it executes as the post’s author. The same idempotencyKey returns the same run.',
  })
  @ApiAcceptedResponse({ type: RunDto })
  create(@Body() body: CreateRunDto, @CurrentUser() caller: UserPrincipal): Promise<RunDto> {
    return this.runs.create(caller.user.id, body);
  }

  @Get()
  @RequireScopes('workspaces:run')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'workspace.runs.list',
    summary: 'Your automation runs, newest first, by post and status (paginated).',
  })
  @ApiOkResponse({ type: RunPageDto })
  list(@Query() query: RunListQueryDto, @CurrentUser() caller: UserPrincipal): Promise<RunPageDto> {
    return this.runs.list(caller.user.id, query);
  }

  @Get(':id')
  @RequireScopes('workspaces:run')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'workspace.runs.get',
    summary:
      'One of your runs: status (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT), timestamps, trigger, output or error. Poll until it ends.',
  })
  @ApiOkResponse({ type: RunDto })
  get(@Param('id', runId) id: string, @CurrentUser() caller: UserPrincipal): Promise<RunDto> {
    return this.runs.get(caller.user.id, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireScopes('workspaces:run')
  @DeclareErrors('not_found', 'run_finished')
  @ApiOperation({
    operationId: 'workspace.runs.cancel',
    summary: 'Cancel a QUEUED or RUNNING run (409 run_finished once it has ended).',
  })
  @ApiOkResponse({ type: RunDto })
  cancel(@Param('id', runId) id: string, @CurrentUser() caller: UserPrincipal): Promise<RunDto> {
    return this.runs.cancel(caller.user.id, id);
  }
}
