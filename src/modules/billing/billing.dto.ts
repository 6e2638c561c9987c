import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { OneOf, PageQueryDto, Trimmed } from '../../common/index.js';
import {
  PAYOUT_STATUSES,
  PLANS,
  type PayoutStatus,
  type Plan,
  TRANSFER_STATUSES,
  type TransferStatus,
} from './billing.entities.js';
import { STRIPE_CONNECT_COUNTRIES } from './payouts/connect-countries.js';

const REDIRECT_HINT = 'An absolute URL on PUBLIC_BASE_URL (no open redirects)';

export class CreateCheckoutLinkDto {
  @ApiProperty({ format: 'uuid', description: 'A priced post you can see and have not bought.' })
  @IsUUID('all', { message: 'must be the id of a post' })
  postId!: string;

  @ApiPropertyOptional({
    example: 'http://127.0.0.1:3000/checkout/success',
    description: `${REDIRECT_HINT}; default PUBLIC_BASE_URL/checkout/success. Reaching it grants nothing: access comes from Stripe's signed event.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  successUrl?: string;

  @ApiPropertyOptional({
    example: 'http://127.0.0.1:3000/checkout/cancel',
    description: `${REDIRECT_HINT}; default PUBLIC_BASE_URL/checkout/cancel.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  cancelUrl?: string;

  @ApiPropertyOptional({
    example: 'spring-launch',
    description:
      'The referral link (/go/{code}) the buyer came through, attributing the sale to its owner. Default: the gpx_ref cookie /go/{code} set in this browser. Ignored when it does not lead to this post, or is the buyer’s or seller’s own.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{3,40}$/, {
    message: 'must be a referral code (3–40 of A-Z a-z 0-9 _ -)',
  })
  referralCode?: string;
}

export class CreatePlanCheckoutLinkDto {
  @ApiPropertyOptional({
    description: `${REDIRECT_HINT}; default PUBLIC_BASE_URL/checkout/success.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  successUrl?: string;

  @ApiPropertyOptional({
    description: `${REDIRECT_HINT}; default PUBLIC_BASE_URL/checkout/cancel.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  cancelUrl?: string;
}

export class CheckoutLinkDto {
  @ApiProperty({ example: 'https://checkout.stripe.com/c/pay/cs_test_a1b2c3' }) url!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ example: 'cs_test_a1b2c3' }) checkoutSessionId!: string;
}

export class PortalSessionDto {
  @ApiProperty({ example: 'https://billing.stripe.com/p/session/test_123' }) url!: string;
}

export class CreatePortalSessionDto {
  @ApiPropertyOptional({
    description: `Where the portal's back link leads. ${REDIRECT_HINT}; default PUBLIC_BASE_URL/settings/billing.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  returnUrl?: string;
}

export class AiCreditsDto {
  @ApiProperty({ example: 42, description: 'Credits left this calendar month (UTC).' })
  balance!: number;
  @ApiProperty({ example: 50, description: 'The plan’s monthly allowance: Free 50, Pro 1000.' })
  monthlyAllowance!: number;
}

export class PayoutSummaryDto {
  @ApiProperty({ enum: PAYOUT_STATUSES }) status!: PayoutStatus;
  @ApiProperty() chargesEnabled!: boolean;
  @ApiProperty({ description: 'Whether buyers can purchase your priced posts.' }) ready!: boolean;
}

export class SubscriptionCountsDto {
  @ApiProperty({ example: 2, description: 'Your active subscriptions to posts.' }) active!: number;
  @ApiProperty({ example: 5, description: 'Active subscriptions of buyers to your posts.' })
  activeSubscribers!: number;
}

export class BillingStateDto {
  @ApiProperty({ enum: PLANS }) plan!: Plan;
  @ApiProperty({ type: AiCreditsDto }) aiCredits!: AiCreditsDto;
  @ApiProperty({ type: PayoutSummaryDto }) payouts!: PayoutSummaryDto;
  @ApiProperty({ type: SubscriptionCountsDto }) subscriptions!: SubscriptionCountsDto;
}

export class SubscriptionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) postId!: string | null;
  @ApiProperty({
    example: 'active',
    description: 'Stripe’s status: active, trialing, past_due, canceled, unpaid, incomplete…',
  })
  status!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) currentPeriodEnd!:
    string | null;
  @ApiProperty({ description: 'Ends at the period end; access lasts until then.' })
  cancelAtPeriodEnd!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class SubscriptionPageDto {
  @ApiProperty({ type: [SubscriptionDto] }) items!: SubscriptionDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class CreateOnboardingLinkDto {
  @ApiProperty({
    example: 'DE',
    description:
      'Where the seller’s business is: ISO 3166-1 alpha-2, one of the countries Stripe Connect Express supports. Fixed once the account exists.',
    enum: STRIPE_CONNECT_COUNTRIES,
  })
  @Trimmed((s) => s.toUpperCase())
  @OneOf(STRIPE_CONNECT_COUNTRIES)
  country!: string;
}

export class OnboardingLinkDto {
  @ApiProperty({ example: 'https://connect.stripe.com/setup/e/acct_123/abc' }) url!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class PayoutsDto {
  @ApiProperty({
    enum: PAYOUT_STATUSES,
    description:
      'enabled: paid out; blocked: Stripe disabled the account; pending_review: Stripe is checking what was sent; incomplete: onboarding unfinished (or not started).',
  })
  status!: PayoutStatus;
  @ApiProperty() chargesEnabled!: boolean;
  @ApiProperty() payoutsEnabled!: boolean;
  @ApiProperty({
    type: [String],
    example: ['external_account'],
    description: 'What Stripe currently needs from you.',
  })
  requirementsDue!: string[];
  @ApiProperty({ nullable: true, type: String, example: 'DE' }) country!: string | null;
  @ApiProperty({ description: 'Whether a connected account exists (onboarding was started).' })
  onboardingStarted!: boolean;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When Stripe reported this state.',
  })
  asOf!: string | null;
}

export class PayoutsQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'true: ask Stripe now instead of answering from the last account.updated event.',
  })
  @IsOptional()
  @OneOf(['true', 'false'])
  refresh?: 'true' | 'false';
}

export class TransferDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) purchaseId!: string;
  @ApiProperty({ format: 'uuid', description: 'The co-seller who receives it.' })
  destinationUserId!: string;
  @ApiProperty({ example: 150 }) amount!: number;
  @ApiProperty({ example: 'eur' }) currency!: string;
  @ApiProperty({ example: 1500 }) shareBps!: number;
  @ApiProperty({ example: 'purchase_0f8fad5b-d9cb-469f-a165-70867728950e' }) transferGroup!: string;
  @ApiProperty({ enum: TRANSFER_STATUSES }) status!: TransferStatus;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ nullable: true, type: String }) stripeTransferId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class TransferPageDto {
  @ApiProperty({ type: [TransferDto] }) items!: TransferDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class TransfersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TRANSFER_STATUSES })
  @IsOptional()
  @OneOf(TRANSFER_STATUSES)
  status?: TransferStatus;
}

export class StripeEventAckDto {
  @ApiProperty({ example: true }) received!: boolean;
  @ApiProperty({ description: 'true: this event id was applied before; nothing changed.' })
  duplicate!: boolean;
}
