import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notification settings: one row per user, made on first read; the column defaults are the
 * documented defaults (src/modules/account/notifications/notification-categories.ts). A user's
 * row goes with the user.
 */
export class AccountNotificationSettings1795886718037 implements MigrationInterface {
  name = 'AccountNotificationSettings1795886718037';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "notification_settings" ("user_id" uuid NOT NULL, "email_paused_all" boolean NOT NULL DEFAULT false, "email_payments_and_receipts" boolean NOT NULL DEFAULT true, "email_reminders" boolean NOT NULL DEFAULT true, "email_onboarding_tips" boolean NOT NULL DEFAULT true, "email_product_updates" boolean NOT NULL DEFAULT false, "push_enabled" boolean NOT NULL DEFAULT true, "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_91a7ffebe8b406c4470845d4781" PRIMARY KEY ("user_id"))',
    );
    await queryRunner.query(
      'ALTER TABLE "notification_settings" ADD CONSTRAINT "FK_91a7ffebe8b406c4470845d4781" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "notification_settings" DROP CONSTRAINT "FK_91a7ffebe8b406c4470845d4781"',
    );
    await queryRunner.query('DROP TABLE "notification_settings"');
  }
}
