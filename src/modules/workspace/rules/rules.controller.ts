import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScopes } from '../../../access/access-kinds.js';
import { CurrentUser, type UserPrincipal } from '../../../access/principal.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import { uuidParam } from '../../../common/index.js';
import {
  CreatedRuleDto,
  CreateRuleDto,
  RuleDto,
  RuleListQueryDto,
  RulePageDto,
  UpdateRuleDto,
} from './rules.dto.js';
import { RulesService } from './rules.service.js';
import { HonoursResourcePinning } from '../../../access/token-resources.js';

const ruleId = uuidParam('automation rule');

/** Automation rules of your posts: a trigger (schedule, inbound hook, purchase) queues runs. */
@ApiTags('workspace')
@HonoursResourcePinning()
@Controller('workspace/automations/rules')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Post()
  @RequireScopes('workspaces:manage')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'workspace.rules.create',
    summary:
      'Create an automation rule for one of your posts; a WEBHOOK_EVENT rule answers its inbound URL and, this once, its secret.',
  })
  @ApiCreatedResponse({ type: CreatedRuleDto })
  create(
    @Body() body: CreateRuleDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<CreatedRuleDto> {
    return this.rules.create(caller.user.id, body);
  }

  @Get()
  @RequireScopes('workspaces:manage')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'workspace.rules.list',
    summary: 'Your automation rules, newest first (of one post, if postId is given; paginated).',
  })
  @ApiOkResponse({ type: RulePageDto })
  list(
    @Query() query: RuleListQueryDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<RulePageDto> {
    return this.rules.list(caller.user.id, query);
  }

  @Get(':id')
  @RequireScopes('workspaces:manage')
  @DeclareErrors('not_found')
  @ApiOperation({ operationId: 'workspace.rules.get', summary: 'One of your automation rules.' })
  @ApiOkResponse({ type: RuleDto })
  get(@Param('id', ruleId) id: string, @CurrentUser() caller: UserPrincipal): Promise<RuleDto> {
    return this.rules.get(caller.user.id, id);
  }

  @Patch(':id')
  @RequireScopes('workspaces:manage')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'workspace.rules.update',
    summary:
      'Change a rule: pause or resume it (enabled), its cooldown, prompt template, workload profile or schedule.',
  })
  @ApiOkResponse({ type: RuleDto })
  update(
    @Param('id', ruleId) id: string,
    @Body() body: UpdateRuleDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<RuleDto> {
    return this.rules.update(caller.user.id, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('workspaces:manage')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'workspace.rules.delete',
    summary: 'Delete a rule (its runs stay, without the rule).',
  })
  @ApiNoContentResponse()
  delete(@Param('id', ruleId) id: string, @CurrentUser() caller: UserPrincipal): Promise<void> {
    return this.rules.delete(caller.user.id, id);
  }
}
