import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
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
  CreatedWebhookEndpointDto,
  CreateWebhookEndpointDto,
  DeliveryQueryDto,
  RotatedSecretDto,
  TestSentDto,
  UpdateWebhookEndpointDto,
  WebhookDeliveryDto,
  WebhookDeliveryPageDto,
  WebhookEndpointDto,
  WebhookEndpointListDto,
} from './webhook-endpoints.dto.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';

const endpointId = uuidParam('webhook endpoint');

/** Your outgoing webhook endpoints, their secrets and their delivery log. */
@ApiTags('webhooks')
@Controller('webhooks')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post('endpoints')
  @RequireScopes('webhooks:manage')
  @DeclareErrors('conflict')
  @ApiOperation({
    operationId: 'webhooks.endpoints.create',
    summary:
      'Add an endpoint that receives the chosen event types, signed with Standard Webhooks; the signing secret is in this answer only.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookEndpointDto })
  create(
    @Body() body: CreateWebhookEndpointDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<CreatedWebhookEndpointDto> {
    return this.endpoints.create(caller.user.id, body);
  }

  @Get('endpoints')
  @RequireScopes('webhooks:manage')
  @ApiOperation({
    operationId: 'webhooks.endpoints.list',
    summary: 'Your webhook endpoints, newest first, with status, last error and last success.',
  })
  @ApiOkResponse({ type: WebhookEndpointListDto })
  async list(@CurrentUser() caller: UserPrincipal): Promise<WebhookEndpointListDto> {
    return { items: await this.endpoints.list(caller.user.id) };
  }

  @Get('endpoints/:id')
  @RequireScopes('webhooks:manage')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'webhooks.endpoints.get',
    summary: 'One of your webhook endpoints.',
  })
  @ApiOkResponse({ type: WebhookEndpointDto })
  get(
    @Param('id', endpointId) id: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<WebhookEndpointDto> {
    return this.endpoints.get(caller.user.id, id);
  }

  @Patch('endpoints/:id')
  @RequireScopes('webhooks:manage')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'webhooks.endpoints.update',
    summary: 'Change an endpoint’s URL, events or description, or disable and enable it.',
  })
  @ApiOkResponse({ type: WebhookEndpointDto })
  update(
    @Param('id', endpointId) id: string,
    @Body() body: UpdateWebhookEndpointDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<WebhookEndpointDto> {
    return this.endpoints.update(caller.user.id, id, body);
  }

  @Delete('endpoints/:id')
  @RequireScopes('webhooks:manage')
  @DeclareErrors('not_found')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'webhooks.endpoints.delete',
    summary: 'Delete an endpoint, with its pending deliveries and its delivery log.',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  delete(@Param('id', endpointId) id: string, @CurrentUser() caller: UserPrincipal): Promise<void> {
    return this.endpoints.delete(caller.user.id, id);
  }

  @Post('endpoints/:id/rotate-secret')
  @RequireScopes('webhooks:manage')
  @DeclareErrors('not_found')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'webhooks.endpoints.rotate_secret',
    summary:
      'Replace the signing secret (the new one is in this answer only); the old one keeps signing alongside it for 24 hours.',
  })
  @ApiOkResponse({ type: RotatedSecretDto })
  rotateSecret(
    @Param('id', endpointId) id: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<RotatedSecretDto> {
    return this.endpoints.rotateSecret(caller.user.id, id);
  }

  @Post('endpoints/:id/test')
  @RequireScopes('webhooks:manage')
  @DeclareErrors('not_found', 'conflict')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'webhooks.endpoints.test',
    summary:
      'Send a webhook.test event to this endpoint now; follow it in the delivery log (409 while the endpoint is disabled).',
  })
  @ApiAcceptedResponse({ type: TestSentDto })
  test(
    @Param('id', endpointId) id: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<TestSentDto> {
    return this.endpoints.sendTest(caller.user.id, id);
  }

  @Get('endpoints/:id/deliveries')
  @RequireScopes('webhooks:manage')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'webhooks.deliveries.list',
    summary:
      'An endpoint’s delivery log, newest first (paginated, by status): each attempt’s response status, latency and error class, and the next retry time.',
  })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  deliveries(
    @Param('id', endpointId) id: string,
    @Query() query: DeliveryQueryDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<WebhookDeliveryPageDto> {
    return this.endpoints.deliveriesOf(caller.user.id, id, query);
  }

  @Post('deliveries/:id/redeliver')
  @RequireScopes('webhooks:manage')
  @DeclareErrors('not_found', 'conflict')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'webhooks.deliveries.redeliver',
    summary:
      'Send one delivery again now, with the same webhook-id and body; a failure starts the retry schedule over (409 while an attempt is in flight).',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto })
  redeliver(
    @Param('id', uuidParam('webhook delivery')) id: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<WebhookDeliveryDto> {
    return this.endpoints.redeliver(caller.user.id, id);
  }
}
