import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity.js';

/**
 * A user's notification settings: one row per user, created with the column defaults on the
 * first read of `GET /api/account/notification-settings` (or the first PATCH). The defaults here
 * are the contract documented in notification-settings.dto.ts and the README; a user without a
 * row is answered with the same values (DEFAULT_NOTIFICATION_SETTINGS in notification-categories.ts).
 */
@Entity({ name: 'notification_settings' })
export class NotificationSettingsEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @OneToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ name: 'email_paused_all', type: 'boolean', default: false })
  emailPausedAll!: boolean;

  @Column({ name: 'email_payments_and_receipts', type: 'boolean', default: true })
  emailPaymentsAndReceipts!: boolean;

  @Column({ name: 'email_reminders', type: 'boolean', default: true })
  emailReminders!: boolean;

  @Column({ name: 'email_onboarding_tips', type: 'boolean', default: true })
  emailOnboardingTips!: boolean;

  /** Marketing: opt-in. */
  @Column({ name: 'email_product_updates', type: 'boolean', default: false })
  emailProductUpdates!: boolean;

  @Column({ name: 'push_enabled', type: 'boolean', default: true })
  pushEnabled!: boolean;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  updatedAt!: Date;
}
