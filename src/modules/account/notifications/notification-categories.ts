/**
 * What other modules may ask about (NotificationPreferences.mayNotify), and how a user's
 * settings answer. Kept as pure data and one pure function so the rule is written once and
 * tested without a database.
 */

/** A user's notification settings, as the API shows them (without `updatedAt`). */
export interface NotificationSettings {
  email: {
    pausedAll: boolean;
    paymentsAndReceipts: boolean;
    reminders: boolean;
    onboardingTips: boolean;
    productUpdates: boolean;
  };
  push: { enabled: boolean };
}

/**
 * What a user has before they change anything (the table's column defaults are the same values;
 * a test holds them together). Transactional and useful mail is on, marketing is opt-in, push is
 * on (it only reaches devices the user has themselves allowed).
 */
export const DEFAULT_NOTIFICATION_SETTINGS: Readonly<NotificationSettings> = Object.freeze({
  email: Object.freeze({
    pausedAll: false,
    paymentsAndReceipts: true,
    reminders: true,
    onboardingTips: true,
    productUpdates: false,
  }),
  push: Object.freeze({ enabled: true }),
});

/**
 * - `receipt`: a receipt for a payment (transactional): always allowed, even with `pausedAll`
 *   on or `paymentsAndReceipts` off.
 * - `payments_and_receipts`: other payment mail (payouts, failed charges, renewals): the
 *   `paymentsAndReceipts` switch, silenced by `pausedAll`.
 * - `reminders`, `onboarding_tips`, `product_updates`: their email switch, silenced by `pausedAll`.
 * - `push`: a device push notification: `push.enabled` (`pausedAll` concerns email only).
 */
export const NOTIFICATION_CATEGORIES = [
  'receipt',
  'payments_and_receipts',
  'reminders',
  'onboarding_tips',
  'product_updates',
  'push',
] as const;
export type NotificationCategory = (typeof NOTIFICATION_CATEGORIES)[number];

/** Whether settings `s` allow a notification of `category`. */
export function allowsNotification(
  s: NotificationSettings,
  category: NotificationCategory,
): boolean {
  switch (category) {
    case 'receipt':
      return true;
    case 'push':
      return s.push.enabled;
    case 'payments_and_receipts':
      return !s.email.pausedAll && s.email.paymentsAndReceipts;
    case 'reminders':
      return !s.email.pausedAll && s.email.reminders;
    case 'onboarding_tips':
      return !s.email.pausedAll && s.email.onboardingTips;
    case 'product_updates':
      return !s.email.pausedAll && s.email.productUpdates;
  }
}
