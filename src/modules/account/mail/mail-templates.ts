import type { NotificationCategory } from '../notifications/notification-categories.js';

/**
 * The messages the product sends, as pure functions of a domain event's data: one place to read
 * every email, tested without a database or a mail server.
 *
 * Each kind names the notification setting that governs it. `security` mail (a token expired,
 * a token reported as leaked and revoked) is always sent: it tells the owner that access
 * changed. Warnings ahead of time (expiry in 30/7/1 days, stale-token revocation coming) are
 * `reminders`, which the owner may switch off in their notification settings.
 */
export type MailCategory = NotificationCategory | 'security';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailContext {
  /** The recipient's display name. */
  displayName: string;
  /** Absolute base for links (PUBLIC_BASE_URL). */
  publicBaseUrl: string;
}

interface MailKind {
  category: MailCategory;
  render(data: Record<string, unknown>, context: MailContext): RenderedMail;
}

const str = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** `2026-11-28T10:00:00.000Z` → `2026-11-28 10:00 UTC`: unambiguous for any reader. */
export function formatUtc(iso: unknown): string {
  const at = new Date(str(iso));
  if (Number.isNaN(at.getTime())) return str(iso);
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Plain paragraphs → the text part and a minimal, escaped HTML part. */
function compose(
  subject: string,
  context: MailContext,
  paragraphs: string[],
  action: { label: string; path: string },
): RenderedMail {
  const url = `${context.publicBaseUrl}${action.path}`;
  const greeting = `Hello ${context.displayName},`;
  const footer =
    'You receive this because you hold a GetPaidX account. Settings → Notifications says which emails you get; security notices are always sent.';
  const text = [greeting, ...paragraphs, `${action.label}: ${url}`, '—', footer].join('\n\n');
  const html = [
    `<p>${escapeHtml(greeting)}</p>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(url)}">${escapeHtml(action.label)}</a></p>`,
    `<hr><p style="color:#666;font-size:12px">${escapeHtml(footer)}</p>`,
  ].join('\n');
  return { subject, text, html };
}

const settingsApi = { label: 'Open Settings → API', path: '/settings/api' };

/** `"deploy bot" (gpx_pat_AbCd…)`: how every message names a token; never more of its value. */
function tokenName(data: Record<string, unknown>): string {
  return `"${str(data.name)}" (${str(data.tokenPrefix)}…)`;
}

export const MAIL_KINDS: Readonly<Record<string, MailKind>> = {
  'token.expiring': {
    category: 'reminders',
    render(data, context) {
      const days = Number(data.daysLeft);
      const when = days === 1 ? 'tomorrow' : `in ${days} days`;
      return compose(
        `Your GetPaidX token "${str(data.name)}" expires ${when}`,
        context,
        [
          `Your personal access token ${tokenName(data)} expires ${when}, at ${formatUtc(data.expiresAt)}.`,
          'After that, every request made with it is refused. If a script or agent still needs access, rotate the token or create a new one before then and update the place it is used.',
        ],
        settingsApi,
      );
    },
  },
  'token.expired': {
    category: 'security',
    render(data, context) {
      return compose(
        `Your GetPaidX token "${str(data.name)}" has expired`,
        context,
        [
          `Your personal access token ${tokenName(data)} expired at ${formatUtc(data.expiredAt)} and no longer works.`,
          'If something still needs access, create a new token in Settings → API.',
        ],
        settingsApi,
      );
    },
  },
  'token.leak_reported': {
    category: 'security',
    render(data, context) {
      const source = typeof data.source === 'string' && data.source !== '' ? data.source : null;
      return compose(
        `Security: your GetPaidX token "${str(data.name)}" was found exposed and has been revoked`,
        context,
        [
          `Your personal access token ${tokenName(data)} was reported as publicly exposed and we revoked it at ${formatUtc(data.revokedAt)}. It no longer works.`,
          source
            ? `Where it was reported (as the reporter told us; not verified by GetPaidX): ${source}`
            : 'The reporter did not say where they found it.',
          'Remove the token from wherever it was published, check your account activity for use you do not recognise, and create a new token for whatever used this one. We will never ask you for a token by email.',
        ],
        settingsApi,
      );
    },
  },
  'token.stale_warning': {
    category: 'reminders',
    render(data, context) {
      const lastUsed =
        data.lastUsedAt === null || data.lastUsedAt === undefined
          ? 'has never been used'
          : `was last used at ${formatUtc(data.lastUsedAt)}`;
      return compose(
        `Your unused GetPaidX token "${str(data.name)}" will be revoked on ${formatUtc(data.revokesAt).slice(0, 10)}`,
        context,
        [
          `Your personal access token ${tokenName(data)} ${lastUsed}. Unused tokens are revoked automatically, and this one will be revoked at ${formatUtc(data.revokesAt)}.`,
          'If you still need it, use it before then (any request counts); if not, there is nothing to do.',
        ],
        settingsApi,
      );
    },
  },
};

/** The event types that send mail. */
export const MAIL_EVENT_TYPES: readonly string[] = Object.keys(MAIL_KINDS);
