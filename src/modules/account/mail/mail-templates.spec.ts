import { escapeHtml, formatUtc, MAIL_EVENT_TYPES, MAIL_KINDS } from './mail-templates.js';

const context = { displayName: 'Ada', publicBaseUrl: 'https://app.example.com' };
const token = {
  tokenId: '00000000-0000-4000-8000-000000000001',
  name: 'deploy',
  tokenPrefix: 'gpx_pat_AbCd',
};

describe('mail templates', () => {
  it('covers the token events, and only security mail ignores the settings', () => {
    expect([...MAIL_EVENT_TYPES].sort()).toEqual([
      'token.expired',
      'token.expiring',
      'token.leak_reported',
      'token.stale_warning',
    ]);
    expect(MAIL_KINDS['token.leak_reported'].category).toBe('security');
    expect(MAIL_KINDS['token.expired'].category).toBe('security');
    expect(MAIL_KINDS['token.expiring'].category).toBe('reminders');
    expect(MAIL_KINDS['token.stale_warning'].category).toBe('reminders');
  });

  it.each([
    [30, 'Your GetPaidX token "deploy" expires in 30 days'],
    [7, 'Your GetPaidX token "deploy" expires in 7 days'],
    [1, 'Your GetPaidX token "deploy" expires tomorrow'],
  ])('warns %i days ahead', (daysLeft, subject) => {
    const mail = MAIL_KINDS['token.expiring'].render(
      { ...token, expiresAt: '2027-01-31T10:00:00.000Z', daysLeft },
      context,
    );
    expect(mail.subject).toBe(subject);
    expect(mail.text).toContain('Hello Ada,');
    expect(mail.text).toContain('"deploy" (gpx_pat_AbCd…)');
    expect(mail.text).toContain('2027-01-31 10:00 UTC');
    expect(mail.text).toContain('https://app.example.com/settings/api');
  });

  it('passes a reported source on as unverified, escaped in the HTML part', () => {
    const mail = MAIL_KINDS['token.leak_reported'].render(
      {
        ...token,
        source: '<script>alert(1)</script> https://x.example',
        revokedAt: '2026-11-28T00:00:00Z',
      },
      context,
    );
    expect(mail.text).toContain('not verified by GetPaidX): <script>alert(1)</script>');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const unsourced = MAIL_KINDS['token.leak_reported'].render(
      { ...token, source: null, revokedAt: '2026-11-28T00:00:00Z' },
      context,
    );
    expect(unsourced.text).toContain('The reporter did not say where they found it.');
  });

  it('tells a stale token that was never used from one last used long ago', () => {
    const never = MAIL_KINDS['token.stale_warning'].render(
      { ...token, lastUsedAt: null, revokesAt: '2027-02-14T00:00:00.000Z' },
      context,
    );
    expect(never.subject).toBe('Your unused GetPaidX token "deploy" will be revoked on 2027-02-14');
    expect(never.text).toContain('has never been used');
    const old = MAIL_KINDS['token.stale_warning'].render(
      { ...token, lastUsedAt: '2026-01-01T08:30:00.000Z', revokesAt: '2027-02-14T00:00:00.000Z' },
      context,
    );
    expect(old.text).toContain('was last used at 2026-01-01 08:30 UTC');
  });

  it('escapes and formats helpers', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    expect(formatUtc('not a date')).toBe('not a date');
  });
});
