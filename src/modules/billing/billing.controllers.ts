import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScopes, WebhookIngress } from '../../access/access-kinds.js';
import {
  type AuthenticatedRequest,
  CurrentUser,
  type UserPrincipal,
} from '../../access/principal.js';
import { DeclareErrors } from '../../catalog/declare-errors.decorator.js';
import { PageQueryDto, ProblemException, uuidParam } from '../../common/index.js';
import { REFERRAL_COOKIE } from '../sharing/index.js';
import {
  BillingStateDto,
  CheckoutLinkDto,
  CreateCheckoutLinkDto,
  CreateOnboardingLinkDto,
  CreatePlanCheckoutLinkDto,
  CreatePortalSessionDto,
  OnboardingLinkDto,
  PayoutsDto,
  PayoutsQueryDto,
  PortalSessionDto,
  StripeEventAckDto,
  SubscriptionDto,
  SubscriptionPageDto,
  TransferDto,
  TransferPageDto,
  TransfersQueryDto,
} from './billing.dto.js';
import { CheckoutService } from './checkout/checkout.service.js';
import { idempotencyKeyOf } from './checkout/idempotency.js';
import { PayoutsService } from './payouts/payouts.service.js';
import { BillingStateService } from './state/billing-state.service.js';
import { verifiedStripeEvent } from './stripe-events/stripe-event-verifier.js';
import { StripeEventsService } from './stripe-events/stripe-events.service.js';
import { SubscriptionsService } from './subscriptions/subscriptions.service.js';
import { TransfersService } from './transfers/transfers.service.js';
import { HonoursResourcePinning } from '../../access/token-resources.js';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Up to 255 visible ASCII characters. For 24 hours the same key and body answer the same link; another body with the key is 409 idempotency_key_reused. Passed on to Stripe.',
};

@ApiTags('billing')
@Controller('billing')
export class BillingController {
  constructor(
    private readonly checkout: CheckoutService,
    private readonly state: BillingStateService,
    private readonly subscriptions: SubscriptionsService,
    private readonly stripeEvents: StripeEventsService,
  ) {}

  @Post('checkout-links')
  @HonoursResourcePinning()
  @RequireScopes('billing:checkout')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @DeclareErrors(
    'not_found',
    'not_for_sale',
    'already_entitled',
    'seller_payouts_not_enabled',
    'idempotency_key_reused',
    'stripe_not_configured',
    'stripe_error',
  )
  @ApiOperation({
    operationId: 'billing.checkout_links.create',
    summary:
      'Buy a priced post: a Stripe-hosted Checkout URL (one-time payment or monthly subscription, per the post’s price) for you as buyer. Access comes from Stripe’s signed event, not from the redirect.',
  })
  @ApiCreatedResponse({ type: CheckoutLinkDto })
  createCheckoutLink(
    @Body() body: CreateCheckoutLinkDto,
    @Headers('idempotency-key') key: string | undefined,
    @Req() req: AuthenticatedRequest,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<CheckoutLinkDto> {
    const cookie = (req.cookies as Record<string, unknown> | undefined)?.[REFERRAL_COOKIE];
    return this.checkout.createForPost(
      caller.user.id,
      body,
      idempotencyKeyOf(key),
      typeof cookie === 'string' ? cookie : undefined,
    );
  }

  @Get()
  @RequireScopes('billing:read')
  @ApiOperation({
    operationId: 'billing.get',
    summary:
      'Your billing state: plan (free or pro), AI credit balance, payout readiness and active subscription counts.',
  })
  @ApiOkResponse({ type: BillingStateDto })
  get(@CurrentUser() caller: UserPrincipal): Promise<BillingStateDto> {
    return this.state.get(caller.user.id);
  }

  @Get('subscriptions')
  @RequireScopes('billing:read')
  @ApiOperation({
    operationId: 'billing.subscriptions.list',
    summary:
      'Your subscriptions to posts with status, current period end and cancelAtPeriodEnd (paginated).',
  })
  @ApiOkResponse({ type: SubscriptionPageDto })
  listSubscriptions(
    @Query() query: PageQueryDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<SubscriptionPageDto> {
    return this.subscriptions.list(caller.user.id, query);
  }

  @Post('subscriptions/:id/cancel')
  @RequireScopes('billing:manage')
  @HttpCode(200)
  @DeclareErrors('not_found', 'conflict', 'stripe_not_configured', 'stripe_error')
  @ApiOperation({
    operationId: 'billing.subscriptions.cancel',
    summary:
      'Cancel one of your subscriptions at the end of its period: you keep access until then.',
  })
  @ApiOkResponse({ type: SubscriptionDto })
  cancelSubscription(
    @Param('id', uuidParam('subscription')) id: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<SubscriptionDto> {
    return this.subscriptions.cancel(caller.user.id, id);
  }

  @Post('plan/checkout-links')
  @RequireScopes('billing:manage')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @DeclareErrors(
    'already_entitled',
    'idempotency_key_reused',
    'stripe_not_configured',
    'stripe_error',
  )
  @ApiOperation({
    operationId: 'billing.plan.checkout_links.create',
    summary: 'Upgrade to Pro: a Stripe-hosted Checkout URL for the monthly Pro subscription.',
  })
  @ApiCreatedResponse({ type: CheckoutLinkDto })
  createPlanCheckoutLink(
    @Body() body: CreatePlanCheckoutLinkDto,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<CheckoutLinkDto> {
    return this.checkout.createForPlan(caller.user.id, body, idempotencyKeyOf(key));
  }

  @Post('portal-sessions')
  @RequireScopes('billing:manage')
  @DeclareErrors('stripe_not_configured', 'stripe_error')
  @ApiOperation({
    operationId: 'billing.portal_sessions.create',
    summary: 'A Stripe customer portal URL: payment methods, invoices, your Pro plan.',
  })
  @ApiCreatedResponse({ type: PortalSessionDto })
  createPortalSession(
    @Body() body: CreatePortalSessionDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<PortalSessionDto> {
    return this.subscriptions.portalSession(caller.user.id, body.returnUrl);
  }

  @Post('stripe/events')
  // Stripe's documentation expects a 400 for a signature that does not verify.
  @WebhookIngress('stripe', { refusal: 'signature_rejected' })
  @HttpCode(200)
  @DeclareErrors('stripe_not_configured')
  @ApiOperation({
    operationId: 'billing.stripe_events.receive',
    summary:
      'Stripe’s event webhook (Stripe-Signature verified with STRIPE_WEBHOOK_SECRET over the raw body). Each event id is applied once; replays and unknown types answer 200 and change nothing.',
  })
  @ApiOkResponse({ type: StripeEventAckDto })
  async receiveStripeEvent(@Req() req: AuthenticatedRequest): Promise<StripeEventAckDto> {
    const event = verifiedStripeEvent(req);
    // The guard admitted the request only with a verified event; this cannot be missing.
    if (!event)
      throw new ProblemException({
        code: 'signature_rejected',
        detail: 'The Stripe signature does not verify.',
      });
    const { duplicate } = await this.stripeEvents.handle(event);
    return { received: true, duplicate };
  }
}

@ApiTags('billing')
@Controller('payouts')
export class PayoutsController {
  constructor(private readonly payouts: PayoutsService) {}

  @Post('onboarding-links')
  @RequireScopes('payouts:manage')
  @DeclareErrors('stripe_not_configured', 'stripe_error')
  @ApiOperation({
    operationId: 'payouts.onboarding_links.create',
    summary:
      'Start or resume Stripe payout onboarding: creates your Express connected account once, answers a fresh Account Link URL.',
  })
  @ApiCreatedResponse({ type: OnboardingLinkDto })
  createOnboardingLink(
    @Body() body: CreateOnboardingLinkDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<OnboardingLinkDto> {
    return this.payouts.onboardingLink(caller.user.id, body.country);
  }

  @Get()
  @RequireScopes('payouts:manage')
  @DeclareErrors('stripe_not_configured', 'stripe_error')
  @ApiOperation({
    operationId: 'payouts.get',
    summary:
      'Your payout status (enabled, blocked, pending_review, incomplete), chargesEnabled and what Stripe needs; from account.updated events, or from Stripe now with ?refresh=true.',
  })
  @ApiOkResponse({ type: PayoutsDto })
  get(@Query() query: PayoutsQueryDto, @CurrentUser() caller: UserPrincipal): Promise<PayoutsDto> {
    // The validation pipe may have turned 'true' into a boolean already.
    return this.payouts.get(caller.user.id, String(query.refresh) === 'true');
  }
}

@ApiTags('billing')
@Controller('transfers')
export class TransfersController {
  constructor(private readonly transfers: TransfersService) {}

  @Get()
  @RequireScopes('transfers:manage')
  @ApiOperation({
    operationId: 'transfers.list',
    summary:
      'Co-seller shares you owe from your sales (referral paths), newest first; ?status=pending|failed|paid|reversed.',
  })
  @ApiOkResponse({ type: TransferPageDto })
  list(
    @Query() query: TransfersQueryDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<TransferPageDto> {
    return this.transfers.list(caller.user.id, query);
  }

  @Post(':id/retry')
  @RequireScopes('transfers:manage')
  @HttpCode(200)
  @DeclareErrors('not_found', 'conflict', 'stripe_not_configured')
  @ApiOperation({
    operationId: 'transfers.retry',
    summary:
      'Retry a failed transfer once: a new Stripe transfer request with the idempotency key transfer:{id}:{attempt}. The answer says whether it was paid or failed again.',
  })
  @ApiOkResponse({ type: TransferDto })
  retry(
    @Param('id', uuidParam('transfer')) id: string,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<TransferDto> {
    return this.transfers.retry(caller.user.id, id);
  }
}
