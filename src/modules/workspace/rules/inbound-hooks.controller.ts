import { Controller, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { WebhookIngress } from '../../../access/access-kinds.js';
import type { AuthenticatedRequest } from '../../../access/principal.js';
import { HookAcceptedDto } from './rules.dto.js';
import { HOOK_VERIFIER, InboundHooksService, SIGNATURE_HEADER } from './inbound-hooks.service.js';

/** The inbound URL of WEBHOOK_EVENT rules: a signed call fires the rule once. */
@ApiTags('workspace')
@Controller('workspace/automations/hooks')
export class InboundHooksController {
  constructor(private readonly hooks: InboundHooksService) {}

  @Post(':pathToken')
  @HttpCode(202)
  @WebhookIngress(HOOK_VERIFIER)
  @ApiParam({ name: 'pathToken', description: 'The token in the rule’s hookUrl.' })
  @ApiHeader({ name: 'X-GPX-Webhook-Secret', required: true, description: 'The rule’s secret.' })
  @ApiHeader({
    name: 'X-GPX-Signature',
    required: true,
    description:
      '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the secret>`; within 5 minutes of now, accepted once.',
  })
  @ApiOperation({
    operationId: 'workspace.hooks.receive',
    summary:
      'Fire a WEBHOOK_EVENT rule: the JSON body becomes {{payload}} in its prompt. Bad secret, signature, stale time or replay: 401, no run.',
  })
  @ApiAcceptedResponse({ type: HookAcceptedDto })
  receive(
    @Param('pathToken') pathToken: string,
    @Headers(SIGNATURE_HEADER) signature: string,
    @Req() req: AuthenticatedRequest,
  ): Promise<HookAcceptedDto> {
    return this.hooks.accept(pathToken, signature, req.body as unknown);
  }
}
