import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsObject, ValidateIf, ValidateNested } from 'class-validator';
import { DEFAULT_NOTIFICATION_SETTINGS } from './notification-categories.js';

/*
 * Field descriptions are shared by the response and the patch, so both say the same thing
 * (default included).
 */
const DESCRIBE = {
  pausedAll:
    'Pause all email notifications. Receipts for payments are still sent while this is on. Default false.',
  paymentsAndReceipts:
    'Email about payments: payouts, failed charges, renewals. Receipts are always sent, even when this is off or pausedAll is on. Default true.',
  reminders: 'Email reminders (events, pending replies, unfinished drafts). Default true.',
  onboardingTips: 'Email tips for getting started. Default true.',
  productUpdates: 'Email about new GetPaidX features (marketing; opt-in). Default false.',
  pushEnabled:
    'Push notifications to the devices you allowed them on. Not affected by email.pausedAll. Default true.',
} as const;

export class EmailNotificationSettingsDto {
  @ApiProperty({ description: DESCRIBE.pausedAll, example: false }) pausedAll!: boolean;
  @ApiProperty({ description: DESCRIBE.paymentsAndReceipts, example: true })
  paymentsAndReceipts!: boolean;
  @ApiProperty({ description: DESCRIBE.reminders, example: true }) reminders!: boolean;
  @ApiProperty({ description: DESCRIBE.onboardingTips, example: true }) onboardingTips!: boolean;
  @ApiProperty({ description: DESCRIBE.productUpdates, example: false }) productUpdates!: boolean;
}

export class PushNotificationSettingsDto {
  @ApiProperty({ description: DESCRIBE.pushEnabled, example: true }) enabled!: boolean;
}

export class NotificationSettingsDto {
  @ApiProperty({
    type: EmailNotificationSettingsDto,
    description:
      'Email switches: pausedAll, paymentsAndReceipts, reminders, onboardingTips, productUpdates.',
    example: DEFAULT_NOTIFICATION_SETTINGS.email,
  })
  email!: EmailNotificationSettingsDto;

  @ApiProperty({
    type: PushNotificationSettingsDto,
    description: 'Push switch: enabled.',
    example: DEFAULT_NOTIFICATION_SETTINGS.push,
  })
  push!: PushNotificationSettingsDto;

  @ApiProperty({
    format: 'date-time',
    example: '2026-11-28T09:30:00.000Z',
    description: 'When the settings last changed (when they were created, before any change).',
  })
  updatedAt!: string;
}

/**
 * An optional boolean leaf of the patch. Absent means "leave as is"; anything else, null
 * included, must be a boolean (`@IsOptional` would wave null through as if absent).
 */
function OptionalBoolean(): PropertyDecorator {
  return applyDecorators(
    IsBoolean(),
    ValidateIf((_o, value) => value !== undefined),
  );
}

/** A nested optional object of the patch: absent, or an object whose fields are validated. */
function OptionalSection(type: () => new () => object): PropertyDecorator {
  return applyDecorators(
    Type(type),
    ValidateNested(),
    IsObject(),
    ValidateIf((_o, value) => value !== undefined),
  );
}

export class EmailNotificationSettingsPatchDto {
  @ApiPropertyOptional({ description: DESCRIBE.pausedAll }) @OptionalBoolean() pausedAll?: boolean;
  @ApiPropertyOptional({ description: DESCRIBE.paymentsAndReceipts })
  @OptionalBoolean()
  paymentsAndReceipts?: boolean;
  @ApiPropertyOptional({ description: DESCRIBE.reminders }) @OptionalBoolean() reminders?: boolean;
  @ApiPropertyOptional({ description: DESCRIBE.onboardingTips })
  @OptionalBoolean()
  onboardingTips?: boolean;
  @ApiPropertyOptional({ description: DESCRIBE.productUpdates })
  @OptionalBoolean()
  productUpdates?: boolean;
}

export class PushNotificationSettingsPatchDto {
  @ApiPropertyOptional({ description: DESCRIBE.pushEnabled }) @OptionalBoolean() enabled?: boolean;
}

/** A partial update: only the fields sent change; an empty patch changes nothing. */
export class UpdateNotificationSettingsDto {
  @ApiPropertyOptional({
    type: EmailNotificationSettingsPatchDto,
    description:
      'Email switches to change: pausedAll, paymentsAndReceipts, reminders, onboardingTips, productUpdates (booleans).',
    example: { productUpdates: false },
  })
  @OptionalSection(() => EmailNotificationSettingsPatchDto)
  email?: EmailNotificationSettingsPatchDto;

  @ApiPropertyOptional({
    type: PushNotificationSettingsPatchDto,
    description: 'Push switch to change: enabled (boolean).',
    example: { enabled: true },
  })
  @OptionalSection(() => PushNotificationSettingsPatchDto)
  push?: PushNotificationSettingsPatchDto;
}
