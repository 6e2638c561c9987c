import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { BrowserOnly, RequireScopes, TokenOnly } from '../../../access/access-kinds.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import {
  CurrentUser,
  Origin,
  type RequestOrigin,
  type UserPrincipal,
} from '../../../access/principal.js';
import { ProblemException, uuidParam } from '../../../common/index.js';
import {
  CreateChildTokenDto,
  CreatedChildTokenDto,
  CreatedTokenDto,
  CreateTokenDto,
  EditTokenDto,
  RotatedTokenDto,
  RotateTokenDto,
  TokenCheckDto,
  TokenCheckResultDto,
  TokenDto,
  TokenListDto,
} from './tokens.dto.js';
import { TokenCheckService } from './token-check.service.js';
import { TokenChildrenService } from './token-children.service.js';
import {
  constraintsForStorage,
  DEFAULT_ROTATION_GRACE_SECONDS,
  TokensService,
} from './tokens.service.js';
import { parseTokenExpiry } from './token-expiry.js';

/** Settings → API. Management is browser-only: a token can never mint, list or revoke tokens. */
@ApiTags('tokens')
@Controller('tokens')
export class TokensController {
  constructor(
    private readonly tokens: TokensService,
    private readonly checks: TokenCheckService,
    private readonly children: TokenChildrenService,
  ) {}

  @Post()
  @BrowserOnly()
  @DeclareErrors('token_policy_violation')
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
      {
        name: body.name,
        scopes: body.scopes,
        expiresAt,
        ...constraintsForStorage({ allowedIps: body.allowedIps, resources: body.resources }),
      },
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
    summary:
      "The calling token's own metadata, with the scopes it used in the last 30 days and its constraints (any token, no scope needed). Every response to a constrained token also carries X-Token-Constraints, a short summary such as `ips=2; posts=3`.",
  })
  @ApiOkResponse({ type: TokenDto })
  async self(@CurrentUser() caller: UserPrincipal): Promise<TokenDto> {
    const self = await this.tokens.findOwn(caller.user.id, tokenOf(caller).id);
    if (!self) throw ProblemException.notFound('No such token.');
    return self;
  }

  // Literal paths before /tokens/{tokenId}/…, so "self" is never read as a token id.
  @Post('self/check')
  @RequireScopes()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'tokens.self_check',
    summary:
      'Can I? Whether the caller may call a route ({endpointId} or {method, path}), from the same rule the guard applies (no scope needed).',
  })
  @ApiOkResponse({ type: TokenCheckResultDto })
  check(@Body() body: TokenCheckDto, @CurrentUser() caller: UserPrincipal): TokenCheckResultDto {
    if (body.endpointId !== undefined) {
      if (body.method !== undefined || body.path !== undefined)
        throw ProblemException.validation([
          { field: 'endpointId', message: 'send either endpointId, or method and path, not both' },
        ]);
      return this.checks.check(caller, { endpointId: body.endpointId });
    }
    const missing = (['method', 'path'] as const).filter((field) => body[field] === undefined);
    if (missing.length)
      throw ProblemException.validation(
        missing.map((field) => ({
          field,
          message: 'required unless endpointId is sent',
        })),
      );
    return this.checks.check(caller, { method: body.method!, path: body.path! });
  }

  @Post('self/rotate')
  @RequireScopes()
  @DeclareErrors('not_found', 'conflict', 'token_policy_violation')
  @ApiOperation({
    operationId: 'tokens.self_rotate',
    summary:
      'Rotate the calling token: a new value for the same grant (name, scopes, expiry); the old value works for graceSeconds (default 1 hour), then is refused.',
  })
  @ApiCreatedResponse({ type: RotatedTokenDto })
  async rotateSelf(
    @Body() body: RotateTokenDto,
    @CurrentUser() caller: UserPrincipal,
    @Origin() origin: RequestOrigin,
  ): Promise<RotatedTokenDto> {
    const { token, meta } = await this.tokens.rotate(
      { userId: caller.user.id, tokenId: tokenOf(caller).id },
      body.graceSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS,
      origin,
      'self',
    );
    return { ...meta, token };
  }

  @Post('self/children')
  @TokenOnly()
  @DeclareErrors('child_token_cannot_mint', 'not_found', 'conflict')
  @ApiOperation({
    operationId: 'tokens.self_children_create',
    summary:
      "Mint a short-lived child token (ttlSeconds ≤ 24 h) for an agent's sub-task: its scopes, pinned posts and IP ranges must be a subset of the calling token's (omitted constraints are inherited), and it ends when the calling token is revoked or rotated. A child cannot mint children.",
  })
  @ApiCreatedResponse({ type: CreatedChildTokenDto })
  async createChild(
    @Body() body: CreateChildTokenDto,
    @CurrentUser() caller: UserPrincipal,
    @Origin() origin: RequestOrigin,
  ): Promise<CreatedChildTokenDto> {
    const { token, meta } = await this.children.mint(caller.user.id, tokenOf(caller), body, origin);
    return { ...meta, token };
  }

  @Get('self/children')
  @TokenOnly()
  @ApiOperation({
    operationId: 'tokens.self_children_list',
    summary: 'The live child tokens the calling token minted (metadata only, never the value).',
  })
  @ApiOkResponse({ type: TokenListDto })
  async listChildren(@CurrentUser() caller: UserPrincipal): Promise<TokenListDto> {
    return { items: await this.children.list(caller.user.id, tokenOf(caller).id) };
  }

  @Post(':tokenId/rotate')
  @BrowserOnly()
  @DeclareErrors('not_found', 'conflict', 'token_policy_violation')
  @ApiOperation({
    operationId: 'tokens.rotate',
    summary:
      'Rotate one of your tokens: a new value for the same grant; the old value works for graceSeconds (0 to 7 days, default 1 hour), then is refused.',
  })
  @ApiCreatedResponse({ type: RotatedTokenDto })
  async rotate(
    @Param('tokenId', uuidParam('token')) tokenId: string,
    @Body() body: RotateTokenDto,
    @CurrentUser() caller: UserPrincipal,
    @Origin() origin: RequestOrigin,
  ): Promise<RotatedTokenDto> {
    const { token, meta } = await this.tokens.rotate(
      { userId: caller.user.id, tokenId },
      body.graceSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS,
      origin,
      'owner',
    );
    return { ...meta, token };
  }

  @Patch(':tokenId')
  @BrowserOnly()
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'tokens.narrow',
    summary:
      'Edit one of your tokens: narrow its scopes (a subset of the current ones; widening is a 400) and set or clear its constraints (allowedIps, resources; null clears). The value stays the same; its child tokens are revoked.',
  })
  @ApiOkResponse({ type: TokenDto })
  async narrow(
    @Param('tokenId', uuidParam('token')) tokenId: string,
    @Body() body: EditTokenDto,
    @CurrentUser() caller: UserPrincipal,
    @Origin() origin: RequestOrigin,
  ): Promise<TokenDto> {
    if (body.scopes === undefined && body.allowedIps === undefined && body.resources === undefined)
      throw ProblemException.validation(
        (['scopes', 'allowedIps', 'resources'] as const).map((field) => ({
          field,
          message: 'send at least one of scopes, allowedIps and resources',
        })),
      );
    return this.tokens.edit(caller.user.id, tokenId, body, origin);
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

/** The calling token; these routes speak of "self", which a browser session has not got. */
function tokenOf(caller: UserPrincipal) {
  if (caller.kind !== 'pat') {
    throw ProblemException.notFound(
      'This request is not authenticated with a token; GET /api/tokens lists your tokens.',
    );
  }
  return caller.token;
}
