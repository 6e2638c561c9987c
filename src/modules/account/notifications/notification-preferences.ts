import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import type { EntityManager, Repository } from 'typeorm';
import {
  allowsNotification,
  DEFAULT_NOTIFICATION_SETTINGS,
  type NotificationCategory,
  type NotificationSettings,
} from './notification-categories.js';
import { NotificationSettingsEntity } from './notification-settings.entity.js';

type SettingsRow = NotificationSettings['email'] & { hasRow: boolean; pushEnabled: boolean };

/**
 * The question other modules ask before they send anything: "may I notify user X about
 * category Y?" (categories and their rules: notification-categories.ts). They never read the
 * settings table.
 *
 * A user who never opened their settings has no row; they are answered with the defaults and
 * no row is created (asking is read-only, so sending loops never write). A user who does not
 * exist (or an id that is not a uuid) may not be notified about anything: there is no one to
 * send to.
 */
@Injectable()
export class NotificationPreferences {
  constructor(
    @InjectRepository(NotificationSettingsEntity)
    private readonly settings: Repository<NotificationSettingsEntity>,
  ) {}

  /**
   * `manager`: ask inside the caller's transaction (a consumer running in the event relay's
   * transaction must; on the embedded database a second connection would wait for it forever).
   */
  async mayNotify(
    userId: string,
    category: NotificationCategory,
    manager: EntityManager = this.settings.manager,
  ): Promise<boolean> {
    if (!isUUID(userId)) return false;
    // One round trip: does anyone exist to notify, and their settings row if they have one.
    const [found] = await manager.query<SettingsRow[]>(
      `SELECT s.user_id IS NOT NULL AS "hasRow",
              s.email_paused_all AS "pausedAll",
              s.email_payments_and_receipts AS "paymentsAndReceipts",
              s.email_reminders AS "reminders",
              s.email_onboarding_tips AS "onboardingTips",
              s.email_product_updates AS "productUpdates",
              s.push_enabled AS "pushEnabled"
         FROM users u LEFT JOIN notification_settings s ON s.user_id = u.id
        WHERE u.id = $1`,
      [userId],
    );
    if (!found) return false;
    const settings: NotificationSettings = found.hasRow
      ? {
          email: {
            pausedAll: found.pausedAll,
            paymentsAndReceipts: found.paymentsAndReceipts,
            reminders: found.reminders,
            onboardingTips: found.onboardingTips,
            productUpdates: found.productUpdates,
          },
          push: { enabled: found.pushEnabled },
        }
      : DEFAULT_NOTIFICATION_SETTINGS;
    return allowsNotification(settings, category);
  }
}
