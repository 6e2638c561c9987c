import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookVerifierRegistry } from '../../access/webhook-verifiers.js';
import { RegisterWorkflows } from '../../catalog/workflows.js';
import { APP_CONFIG, type AppConfig } from '../../config/index.js';
import { RegisterDomainEvents } from '../../events/index.js';
import { ContentModule } from '../content/index.js';
import { SharingModule } from '../sharing/index.js';
import {
  AiCreditSpendEntity,
  BillingCustomerEntity,
  BillingSubscriptionEntity,
  CheckoutLinkEntity,
  PayoutAccountEntity,
  PurchaseEntity,
  StripeEventEntity,
  TransferEntity,
} from './billing.entities.js';
import {
  BillingController,
  PayoutsController,
  TransfersController,
} from './billing.controllers.js';
import { BILLING_EVENTS } from './billing.events.js';
import { BILLING_WORKFLOWS } from './billing.workflows.js';
import { CheckoutService } from './checkout/checkout.service.js';
import { PayoutsService } from './payouts/payouts.service.js';
import { AiCredits } from './state/ai-credits.service.js';
import { BillingCustomers } from './state/billing-customers.service.js';
import { BillingStateService } from './state/billing-state.service.js';
import { stripeEventVerifier } from './stripe-events/stripe-event-verifier.js';
import { StripeEventsService } from './stripe-events/stripe-events.service.js';
import { SdkStripeGateway, StripeGateway } from './stripe/stripe-gateway.js';
import { SubscriptionsService } from './subscriptions/subscriptions.service.js';
import { TransfersService } from './transfers/transfers.service.js';

/**
 * Billing: checkout links for priced posts and the Pro plan, subscriptions, Stripe Connect
 * payouts, co-seller transfers and Stripe's signed events. Depends on Content (who may read a
 * priced post: PostEntitlements) and Sharing (referral attribution); neither depends on it.
 */
@RegisterWorkflows(BILLING_WORKFLOWS)
@RegisterDomainEvents(BILLING_EVENTS)
@Module({
  imports: [
    TypeOrmModule.forFeature([
      BillingCustomerEntity,
      PayoutAccountEntity,
      CheckoutLinkEntity,
      PurchaseEntity,
      BillingSubscriptionEntity,
      TransferEntity,
      StripeEventEntity,
      AiCreditSpendEntity,
    ]),
    ContentModule,
    SharingModule,
  ],
  controllers: [BillingController, PayoutsController, TransfersController],
  providers: [
    {
      provide: StripeGateway,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new SdkStripeGateway(config.stripe),
    },
    BillingCustomers,
    AiCredits,
    BillingStateService,
    CheckoutService,
    PayoutsService,
    SubscriptionsService,
    TransfersService,
    StripeEventsService,
  ],
  // AiCredits: Workspace reads and spends the AI credit balance.
  exports: [AiCredits],
})
export class BillingModule implements OnModuleInit {
  constructor(
    private readonly verifiers: WebhookVerifierRegistry,
    private readonly stripe: StripeGateway,
  ) {}

  onModuleInit(): void {
    this.verifiers.register('stripe', stripeEventVerifier(this.stripe));
  }
}
