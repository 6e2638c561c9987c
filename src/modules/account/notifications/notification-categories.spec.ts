import {
  allowsNotification,
  DEFAULT_NOTIFICATION_SETTINGS,
  NOTIFICATION_CATEGORIES,
  type NotificationCategory,
  type NotificationSettings,
} from './notification-categories.js';

const settings = (
  email: Partial<NotificationSettings['email']> = {},
  push: Partial<NotificationSettings['push']> = {},
): NotificationSettings => ({
  email: { ...DEFAULT_NOTIFICATION_SETTINGS.email, ...email },
  push: { ...DEFAULT_NOTIFICATION_SETTINGS.push, ...push },
});

const answers = (s: NotificationSettings) =>
  Object.fromEntries(NOTIFICATION_CATEGORIES.map((c) => [c, allowsNotification(s, c)]));

describe('allowsNotification', () => {
  it('answers the defaults: everything but product updates (marketing is opt-in)', () => {
    expect(answers(settings())).toEqual({
      receipt: true,
      payments_and_receipts: true,
      reminders: true,
      onboarding_tips: true,
      product_updates: false,
      push: true,
    });
  });

  it('still allows receipts while email is paused, and nothing else by email; push is not email', () => {
    expect(answers(settings({ pausedAll: true, productUpdates: true }))).toEqual({
      receipt: true,
      payments_and_receipts: false,
      reminders: false,
      onboarding_tips: false,
      product_updates: false,
      push: true,
    });
  });

  it('still allows receipts with payment mail switched off', () => {
    const s = settings({ paymentsAndReceipts: false });
    expect(allowsNotification(s, 'receipt')).toBe(true);
    expect(allowsNotification(s, 'payments_and_receipts')).toBe(false);
  });

  it.each<[NotificationCategory, Partial<NotificationSettings['email']>]>([
    ['reminders', { reminders: false }],
    ['onboarding_tips', { onboardingTips: false }],
    ['product_updates', { productUpdates: false }],
  ])('follows its own switch: %s', (category, off) => {
    expect(allowsNotification(settings(off), category)).toBe(false);
    // Switching one category off leaves the others as they were.
    for (const other of NOTIFICATION_CATEGORIES.filter((c) => c !== category))
      expect(allowsNotification(settings(off), other), other).toBe(
        allowsNotification(settings(), other),
      );
  });

  it('refuses push when push is off, whatever email says', () => {
    expect(allowsNotification(settings({}, { enabled: false }), 'push')).toBe(false);
    expect(allowsNotification(settings({ pausedAll: false }, { enabled: false }), 'receipt')).toBe(
      true,
    );
  });
});
