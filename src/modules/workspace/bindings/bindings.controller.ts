import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScopes } from '../../../access/access-kinds.js';
import { CurrentUser, type UserPrincipal } from '../../../access/principal.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import { uuidParam } from '../../../common/index.js';
import { BindingDto, BindingListDto, PutBindingDto } from './bindings.dto.js';
import { BindingsService } from './bindings.service.js';
import { HonoursResourcePinning } from '../../../access/token-resources.js';

const postId = uuidParam('post');
const nameParam = ApiParam({
  name: 'name',
  description: 'The binding’s name: 1–64 characters of A–Z, 0–9 and _.',
  example: 'OPENAI_API_KEY',
});

/** Named secrets and settings bound to one of your posts' workspace; values are write-only. */
@ApiTags('workspace')
@HonoursResourcePinning()
@Controller('workspace/:postId/bindings')
export class BindingsController {
  constructor(private readonly bindings: BindingsService) {}

  @Get()
  @RequireScopes('workspaces:manage')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'workspace.bindings.list',
    summary: 'The bindings of your post’s workspace, by name: names and kinds, never values.',
  })
  @ApiOkResponse({ type: BindingListDto })
  list(
    @Param('postId', postId) post: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<BindingListDto> {
    return this.bindings.list(caller.user.id, post);
  }

  @Put(':name')
  @RequireScopes('workspaces:manage')
  @DeclareErrors('not_found')
  @nameParam
  @ApiOperation({
    operationId: 'workspace.bindings.put',
    summary:
      'Bind a value (write-only, encrypted at rest) or one of your PATs (by tokenId) under a name, replacing what it held.',
  })
  @ApiOkResponse({ type: BindingDto })
  put(
    @Param('postId', postId) post: string,
    @Param('name') name: string,
    @Body() body: PutBindingDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<BindingDto> {
    return this.bindings.put(caller.user.id, post, name, body);
  }

  @Delete(':name')
  @HttpCode(204)
  @RequireScopes('workspaces:manage')
  @DeclareErrors('not_found')
  @nameParam
  @ApiOperation({ operationId: 'workspace.bindings.delete', summary: 'Remove a binding.' })
  @ApiNoContentResponse()
  delete(
    @Param('postId', postId) post: string,
    @Param('name') name: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<void> {
    return this.bindings.delete(caller.user.id, post, name);
  }
}
