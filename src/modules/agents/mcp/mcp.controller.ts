import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { TokenOnly } from '../../../access/access-kinds.js';
import {
  type AuthenticatedRequest,
  CurrentUser,
  type UserPrincipal,
} from '../../../access/principal.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import { ProblemException } from '../../../common/index.js';
import { McpService } from './mcp.service.js';

/**
 * The Model Context Protocol endpoint for agents. Token-only: any valid personal access token
 * may speak MCP here; what each tool call may do is decided again by the route it calls.
 */
@ApiTags('agents')
@Controller('mcp')
export class McpController {
  constructor(private readonly mcp: McpService) {}

  @Post()
  @TokenOnly()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'mcp.post',
    summary:
      'Model Context Protocol over Streamable HTTP (stateless, JSON answers): tools are the endpoints this token may call, prompts the catalog workflows, the catalog a resource.',
  })
  @ApiBody({
    description:
      'A JSON-RPC 2.0 message of the Model Context Protocol (initialize, tools/list, tools/call, prompts/list, prompts/get, resources/list, resources/read). Send Accept: application/json, text/event-stream.',
    schema: {
      type: 'object',
      required: ['jsonrpc', 'method'],
      properties: {
        jsonrpc: { type: 'string', enum: ['2.0'] },
        id: { type: ['string', 'integer'] },
        method: { type: 'string', example: 'tools/list' },
        params: { type: 'object' },
      },
    },
  })
  @ApiOkResponse({
    description:
      'The JSON-RPC answer. Protocol errors are JSON-RPC errors; a tool whose route refuses is a tool result with isError and the problem code and detail.',
  })
  async post(
    @Req() req: AuthenticatedRequest,
    @Res() res: Response,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<void> {
    await this.mcp.handle(req, res, caller);
  }

  @Get()
  @TokenOnly()
  @DeclareErrors('method_not_allowed')
  @ApiOperation({
    operationId: 'mcp.stream',
    summary:
      'Answers 405: this stateless MCP server offers no server-to-client event stream (the Streamable HTTP transport allows that).',
  })
  stream(): never {
    throw new ProblemException({
      code: 'method_not_allowed',
      detail: 'This MCP server is stateless and has no event stream; POST JSON-RPC messages.',
      headers: { Allow: 'POST' },
    });
  }
}
