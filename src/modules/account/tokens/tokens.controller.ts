import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { BrowserOnly, RequireScopes } from '../../../access/access-kinds.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import {
  CurrentUser,
  Origin,
  type RequestOrigin,
  type UserPrincipal,
} from '../../../access/principal.js';
import { ProblemException, uuidParam } from '../../../common/index.js';
import { CreatedTokenDto, CreateTokenDto, TokenDto, TokenListDto } from './tokens.dto.js';
import { TokensService } from './tokens.service.js';
import { parseTokenExpiry } from './token-expiry.js';

/** Settings → API. Management is browser-only: a token can never mint, list or revoke tokens. */
@ApiTags('tokens')
@Controller('tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @BrowserOnly()
  @ApiOperation({
    operationId: 'tokens.create',
    summary: 'Create a personal access token; the raw value is in this response only.',
  })
  @ApiCreatedResponse({ type: CreatedTokenDto })
  async create(
    @Body() body: CreateTokenDto,
    @CurrentUser() caller: UserPrincipal,
    @Origin() origin: RequestOrigin,
  ): Promise<CreatedTokenDto> {
    const expiresAt = parseTokenExpiry(body.expiresAt);
    const { token, meta } = await this.tokens.create(
      caller.user.id,
      { name: body.name, scopes: body.scopes, expiresAt },
      origin,
    );
    return { ...meta, token };
  }

  @Get()
  @BrowserOnly()
  @ApiOperation({
    operationId: 'tokens.list',
    summary: 'Your live tokens (metadata only, never the value).',
  })
  @ApiOkResponse({ type: TokenListDto })
  async list(@CurrentUser() caller: UserPrincipal): Promise<TokenListDto> {
    return { items: await this.tokens.listForUser(caller.user.id) };
  }

  @Get('self')
  @RequireScopes()
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'tokens.self',
    summary: "The calling token's own metadata (any token, no scope needed).",
  })
  @ApiOkResponse({ type: TokenDto })
  async self(@CurrentUser() caller: UserPrincipal): Promise<TokenDto> {
    if (caller.kind !== 'pat') {
      throw ProblemException.notFound(
        'This request is not authenticated with a token; GET /api/tokens lists your tokens.',
      );
    }
    const mine = await this.tokens.listForUser(caller.user.id);
    const self = mine.find((t) => t.id === caller.token.id);
    if (!self) throw ProblemException.notFound('No such token.');
    return self;
  }

  @Delete(':tokenId')
  @BrowserOnly()
  @DeclareErrors('not_found')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'tokens.revoke',
    summary: 'Revoke one of your tokens; it stops working at once.',
  })
  @ApiNoContentResponse()
  async revoke(
    @Param('tokenId', uuidParam('token'))
    tokenId: string,
    @CurrentUser() caller: UserPrincipal,
    @Origin() origin: RequestOrigin,
  ): Promise<void> {
    await this.tokens.revokeOwn(caller.user.id, tokenId, origin);
  }
}
