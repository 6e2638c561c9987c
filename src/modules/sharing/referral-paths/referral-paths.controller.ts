import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
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
import { PageQueryDto, uuidParam } from '../../../common/index.js';
import {
  CreateReferralPathDto,
  ReferralPathDto,
  ReferralPathPageDto,
} from './referral-paths.dto.js';
import { ReferralPathsService } from './referral-paths.service.js';
import { HonoursResourcePinning } from '../../../access/token-resources.js';

/** The caller's referral links (`/go/{code}`), managed with sharing:manage. */
@ApiTags('sharing')
@Controller('sharing/referral-paths')
export class ReferralPathsController {
  constructor(private readonly paths: ReferralPathsService) {}

  @Post()
  @HonoursResourcePinning()
  @RequireScopes('sharing:manage')
  @DeclareErrors('conflict')
  @ApiOperation({
    operationId: 'sharing.referral_paths.create',
    summary:
      'Create a referral link /go/{code} to one of your visible posts or to your profile; its visits are counted and its code kept as ?ref= for attribution.',
  })
  @ApiCreatedResponse({ type: ReferralPathDto })
  create(
    @Body() body: CreateReferralPathDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<ReferralPathDto> {
    return this.paths.create(caller.user.id, body);
  }

  @Get()
  @RequireScopes('sharing:manage')
  @ApiOperation({
    operationId: 'sharing.referral_paths.list',
    summary: 'Your referral links with their visit counts, newest first (paginated).',
  })
  @ApiOkResponse({ type: ReferralPathPageDto })
  list(
    @Query() query: PageQueryDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<ReferralPathPageDto> {
    return this.paths.list(caller.user.id, query);
  }

  @Delete(':id')
  @RequireScopes('sharing:manage')
  @HttpCode(204)
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'sharing.referral_paths.delete',
    summary:
      'Delete one of your referral links (and its QR codes): /go/{code} answers 404 from then on.',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  async delete(
    @Param('id', uuidParam('referral path')) id: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<void> {
    await this.paths.delete(caller.user.id, id);
  }
}
