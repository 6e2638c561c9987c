import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { BrowserOnly, RequireScopes } from '../../../access/access-kinds.js';
import { CurrentUser, type UserPrincipal } from '../../../access/principal.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import { ProblemException, uuidParam } from '../../../common/index.js';
import {
  MemberDto,
  MemberPageDto,
  MembershipDto,
  MembersQueryDto,
  SetMemberTagsDto,
} from './memberships.dto.js';
import { MembershipsService } from './memberships.service.js';

/** A creator id that is not a uuid names no creator: the same 400 as an unknown one. */
const creatorIdParam = new ParseUUIDPipe({
  exceptionFactory: () =>
    ProblemException.validation([{ field: 'creatorId', message: 'is not a known creator' }]),
});

/** Joining and leaving are a person's own decision: browser-only, never a token. */
@ApiTags('memberships')
@ApiParam({
  name: 'creatorId',
  format: 'uuid',
  description:
    "The creator's user id (a post's authorId); an unknown one is 400 validation_failed.",
})
@Controller('creators/:creatorId/membership')
export class CreatorMembershipController {
  constructor(private readonly memberships: MembershipsService) {}

  @Post()
  @BrowserOnly()
  @HttpCode(200)
  // validation_failed (implied by the path parameter): an unknown creator, or yourself.
  @ApiOperation({
    operationId: 'memberships.join',
    summary:
      "Join a creator's membership. Joining again changes nothing and answers 200 with the same membership. The creator sees your display name and email.",
  })
  @ApiOkResponse({ type: MembershipDto })
  join(
    @Param('creatorId', creatorIdParam) creatorId: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<MembershipDto> {
    return this.memberships.join(creatorId, caller.user.id);
  }

  @Delete()
  @BrowserOnly()
  @HttpCode(204)
  @DeclareErrors('not_found') // not a member (an unknown creator is validation_failed)
  @ApiOperation({
    operationId: 'memberships.leave',
    summary:
      "Leave a creator's membership; posts for their tagged members are hidden from you at once.",
  })
  @ApiNoContentResponse()
  async leave(
    @Param('creatorId', creatorIdParam) creatorId: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<void> {
    await this.memberships.leave(creatorId, caller.user.id);
  }
}

/** The caller's own membership, as its creator: find members and tag them. */
@ApiTags('memberships')
@Controller('memberships/members')
export class MembersController {
  constructor(private readonly memberships: MembershipsService) {}

  @Get()
  @RequireScopes('memberships:manage')
  @ApiOperation({
    operationId: 'memberships.members.list',
    summary:
      'Your members, newest first: search by display name or email prefix, filter by tag, keyset-paginated.',
  })
  @ApiOkResponse({ type: MemberPageDto })
  list(
    @Query() query: MembersQueryDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<MemberPageDto> {
    return this.memberships.searchMembers(caller.user.id, query);
  }

  @Put(':memberId/tags')
  @RequireScopes('memberships:manage')
  @ApiParam({ name: 'memberId', format: 'uuid', description: 'From memberships.members.list.' })
  @DeclareErrors('not_found') // not a member of yours
  @ApiOperation({
    operationId: 'memberships.members.set_tags',
    summary:
      "Replace a member's tags; posts with those audience tags become visible (or hidden) to them at once.",
  })
  @ApiOkResponse({ type: MemberDto })
  setTags(
    @Param('memberId', uuidParam('member')) memberId: string,
    @Body() body: SetMemberTagsDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<MemberDto> {
    return this.memberships.setTags(caller.user.id, memberId, body.tags);
  }
}
