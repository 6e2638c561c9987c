import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { NotificationSettings } from './notification-categories.js';
import { NotificationSettingsEntity } from './notification-settings.entity.js';

/** The settings with when they last changed, as the API answers them. */
export interface NotificationSettingsView extends NotificationSettings {
  updatedAt: string;
}

/** A partial update: sections and fields left out stay as they are. */
export interface NotificationSettingsPatch {
  email?: Partial<NotificationSettings['email']>;
  push?: Partial<NotificationSettings['push']>;
}

/** Each patchable field's column (a fixed list: the only names that reach the SQL text). */
const EMAIL_COLUMNS: Record<keyof NotificationSettings['email'], string> = {
  pausedAll: 'email_paused_all',
  paymentsAndReceipts: 'email_payments_and_receipts',
  reminders: 'email_reminders',
  onboardingTips: 'email_onboarding_tips',
  productUpdates: 'email_product_updates',
};
const PUSH_COLUMNS: Record<keyof NotificationSettings['push'], string> = {
  enabled: 'push_enabled',
};

export function toNotificationSettings(row: NotificationSettingsEntity): NotificationSettings {
  return {
    email: {
      pausedAll: row.emailPausedAll,
      paymentsAndReceipts: row.emailPaymentsAndReceipts,
      reminders: row.emailReminders,
      onboardingTips: row.emailOnboardingTips,
      productUpdates: row.emailProductUpdates,
    },
    push: { enabled: row.pushEnabled },
  };
}

function toView(row: NotificationSettingsEntity): NotificationSettingsView {
  return { ...toNotificationSettings(row), updatedAt: row.updatedAt.toISOString() };
}

/** The settings routes' rules. Other modules ask NotificationPreferences, never this table. */
@Injectable()
export class NotificationSettingsService {
  constructor(
    @InjectRepository(NotificationSettingsEntity)
    private readonly settings: Repository<NotificationSettingsEntity>,
  ) {}

  /**
   * The user's settings, created with the defaults on first read. Two first reads at once both
   * insert; ON CONFLICT DO NOTHING lets the loser carry on and read the winner's row.
   */
  async getOrCreate(userId: string): Promise<NotificationSettingsView> {
    const existing = await this.settings.findOneBy({ userId });
    if (existing) return toView(existing);
    await this.settings.createQueryBuilder().insert().values({ userId }).orIgnore().execute();
    return toView(await this.settings.findOneByOrFail({ userId }));
  }

  /**
   * Applies the fields sent, in one statement whether or not the row exists yet (an upsert: the
   * fields not sent keep their value, or the default for a new row). An empty patch changes
   * nothing, `updatedAt` included.
   */
  async update(
    userId: string,
    patch: NotificationSettingsPatch,
  ): Promise<NotificationSettingsView> {
    const changes: [column: string, value: boolean][] = [
      ...pick(EMAIL_COLUMNS, patch.email),
      ...pick(PUSH_COLUMNS, patch.push),
    ];
    if (!changes.length) return this.getOrCreate(userId);
    const columns = changes.map(([c]) => `"${c}"`);
    const placeholders = changes.map((_, i) => `$${i + 2}`);
    await this.settings.query(
      `INSERT INTO "notification_settings" ("user_id", ${columns.join(', ')}, "updated_at")
       VALUES ($1, ${placeholders.join(', ')}, now())
       ON CONFLICT ("user_id") DO UPDATE
         SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, "updated_at" = now()`,
      [userId, ...changes.map(([, v]) => v)],
    );
    return toView(await this.settings.findOneByOrFail({ userId }));
  }
}

function pick<K extends string>(
  columns: Record<K, string>,
  section: Partial<Record<K, boolean>> | undefined,
): [string, boolean][] {
  if (!section) return [];
  return (Object.keys(columns) as K[])
    .filter((key) => typeof section[key] === 'boolean')
    .map((key) => [columns[key], section[key] as boolean]);
}
