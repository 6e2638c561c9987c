import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { Clock } from '../src/common/index.js';
import { EventRelay } from '../src/events/index.js';
import { MailSender } from '../src/modules/account/mail/mail-sender.js';
import { TokenExpirySweep } from '../src/modules/account/tokens/token-expiry-sweep.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { MailReceiver } from './support/mail-receiver.js';
import { createTestApp, type TestApp, useTestApp } from './support/test-app.js';

const DAY = 24 * 3600 * 1000;
const onPostgres = Boolean(process.env.DATABASE_URL);
const session = (u: SignedInUser) => ({ Cookie: u.cookie, 'X-CSRF-Token': u.csrfToken });
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** Moves an app's injected clock (the sweep, the relay and the sender read it) instead of sleeping. */
function clockOf(t: TestApp) {
  const clock = t.running.app.get(Clock);
  let offsetMs = 0;
  const real = clock.now.bind(clock);
  vi.spyOn(clock, 'now').mockImplementation(() => new Date(real().getTime() + offsetMs));
  return {
    /** Sets the clock to `days` before (negative: after) the instant `expiresAt`. */
    toDaysBefore(expiresAt: string, days: number) {
      offsetMs = Date.parse(expiresAt) - days * DAY - Date.now();
    },
    advance(ms: number) {
      offsetMs += ms;
    },
    reset() {
      offsetMs = 0;
    },
  };
}

/** Sweep, hand the events to the mail queue, send: what the background loops do, on demand. */
async function runBackgroundOnce(t: TestApp): Promise<void> {
  await t.running.app.get(TokenExpirySweep).runNow();
  await t.running.app.get(EventRelay).drain();
  await t.running.app.get(MailSender).drain();
}

interface NoticeRow {
  stage: string;
}

describe('email: expiry warnings through a real SMTP server', () => {
  const receiver = new MailReceiver();
  beforeAll(async () => {
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.close();
  });
  const t = useTestApp(() => ({
    env: {
      SMTP_URL: receiver.url,
      MAIL_FROM: 'GetPaidX Test <robot@getpaidx.test>',
      BACKGROUND_WORK: 'false',
    },
  }));
  let clock: ReturnType<typeof clockOf>;
  beforeAll(() => {
    clock = clockOf(t);
  });
  afterEach(() => clock.reset());

  it('warns at 30, 7 and 1 days and on expiry, each exactly once, by email and event', async () => {
    const alice = await signUp(t);
    const expiresAt = inDays(40);
    const { id: tokenId, body } = await createToken(t, alice, ['posts:read'], {
      name: 'nightly export',
      expiresAt,
    });
    const expiresIso = new Date(expiresAt).toISOString();

    // Nothing is due with 31 days left.
    clock.toDaysBefore(expiresAt, 31);
    await runBackgroundOnce(t);
    expect(receiver.to(alice.email)).toHaveLength(0);

    const stages = [
      { daysBefore: 29.5, stage: '30d', subject: /expires in 30 days/ },
      { daysBefore: 6.5, stage: '7d', subject: /expires in 7 days/ },
      { daysBefore: 0.5, stage: '1d', subject: /expires tomorrow/ },
      { daysBefore: -0.1, stage: 'expired', subject: /has expired/ },
    ];
    for (const [i, step] of stages.entries()) {
      clock.toDaysBefore(expiresAt, step.daysBefore);
      // Twice: the second sweep finds the stage already announced.
      await runBackgroundOnce(t);
      await runBackgroundOnce(t);
      await receiver.waitFor(() => receiver.to(alice.email).length >= i + 1);
      const mails = receiver.to(alice.email);
      expect(mails).toHaveLength(i + 1);
      const mail = mails[i];
      expect(mail.subject).toMatch(step.subject);
      expect(mail.subject).toContain('nightly export');
      expect(mail.text).toContain(body.prefix);
      expect(mail.from?.value).toEqual([{ name: 'GetPaidX Test', address: 'robot@getpaidx.test' }]);
      const notices = await t.sql<NoticeRow>(
        'SELECT stage FROM token_expiry_notices WHERE token_id = $1 ORDER BY noticed_at',
        [tokenId],
      );
      expect(notices.map((n) => n.stage)).toEqual(stages.slice(0, i + 1).map((s) => s.stage));
    }

    // The events went out once each, with the documented data (they also reach webhooks).
    const events = await t.sql<{ type: string; data: Record<string, unknown> }>(
      `SELECT type, data FROM domain_events
        WHERE type IN ('token.expiring', 'token.expired') AND data->>'tokenId' = $1
        ORDER BY occurred_at`,
      [tokenId],
    );
    expect(events).toEqual([
      ...[30, 7, 1].map((daysLeft) => ({
        type: 'token.expiring',
        data: {
          tokenId,
          name: 'nightly export',
          tokenPrefix: body.prefix,
          expiresAt: expiresIso,
          daysLeft,
        },
      })),
      {
        type: 'token.expired',
        data: { tokenId, name: 'nightly export', tokenPrefix: body.prefix, expiredAt: expiresIso },
      },
    ]);

    // Each message has a stable Message-ID naming its outbox row, and the row is marked sent.
    const outbox = await t.sql<{ id: string; sent_at: Date | null; attempts: number }>(
      'SELECT id, sent_at, attempts FROM mail_outbox WHERE user_id = $1 ORDER BY created_at',
      [alice.id],
    );
    expect(outbox).toHaveLength(4);
    expect(receiver.to(alice.email).map((m) => m.messageId)).toEqual(
      outbox.map((row) => `<mail-${row.id}@getpaidx>`),
    );
    for (const row of outbox) {
      expect(row.sent_at).not.toBeNull();
      expect(row.attempts).toBe(1);
    }

    // Much later, nothing more is sent.
    clock.toDaysBefore(expiresAt, -3);
    await runBackgroundOnce(t);
    expect(receiver.to(alice.email)).toHaveLength(4);
  });

  it('skips the stages already past when the token was made: 5 days left gets 1-day and expired only', async () => {
    const bob = await signUp(t);
    const expiresAt = inDays(5);
    const { id: tokenId } = await createToken(t, bob, ['posts:read'], { expiresAt });

    for (const daysBefore of [4.9, 3, 0.9, 0.5, -0.01, -1]) {
      clock.toDaysBefore(expiresAt, daysBefore);
      await runBackgroundOnce(t);
    }
    await receiver.waitFor(() => receiver.to(bob.email).length >= 2);
    const subjects = receiver.to(bob.email).map((m) => m.subject);
    expect(subjects).toHaveLength(2);
    expect(subjects[0]).toMatch(/expires tomorrow/);
    expect(subjects[1]).toMatch(/has expired/);
    const notices = await t.sql<NoticeRow>(
      'SELECT stage FROM token_expiry_notices WHERE token_id = $1 ORDER BY noticed_at',
      [tokenId],
    );
    expect(notices.map((n) => n.stage)).toEqual(['1d', 'expired']);
  });

  it('warns no one about a revoked token', async () => {
    const carol = await signUp(t);
    const expiresAt = inDays(20);
    const { id } = await createToken(t, carol, ['posts:read'], { expiresAt });
    await t.http().delete(`/api/tokens/${id}`).set(session(carol)).expect(204);
    clock.toDaysBefore(expiresAt, 0.5);
    await runBackgroundOnce(t);
    expect(await t.sql('SELECT 1 FROM token_expiry_notices WHERE token_id = $1', [id])).toEqual([]);
    expect(
      await t.sql(`SELECT 1 FROM mail_outbox WHERE user_id = $1 AND kind LIKE 'token.expir%'`, [
        carol.id,
      ]),
    ).toEqual([]);
  });

  it('honours the notification settings: reminders off stops the warnings, not the expiry notice', async () => {
    const dave = await signUp(t);
    await t
      .http()
      .patch('/api/account/notification-settings')
      .set(session(dave))
      .send({ email: { reminders: false } })
      .expect(200);
    const expiresAt = inDays(10);
    await createToken(t, dave, ['posts:read'], { name: 'quiet', expiresAt });
    for (const daysBefore of [6, 0.5, -0.5]) {
      clock.toDaysBefore(expiresAt, daysBefore);
      await runBackgroundOnce(t);
    }
    await receiver.waitFor(() => receiver.to(dave.email).length >= 1);
    const mails = receiver.to(dave.email);
    // The expiry is security mail (the token stopped working): always sent.
    expect(mails.map((m) => m.subject)).toEqual(['Your GetPaidX token "quiet" has expired']);
    // The warnings' events still exist (webhooks get them); only the email was withheld.
    const kinds = await t.sql<{ kind: string }>('SELECT kind FROM mail_outbox WHERE user_id = $1', [
      dave.id,
    ]);
    expect(kinds).toEqual([{ kind: 'token.expired' }]);
  });

  it('retries a message the relay refused, later, with the same Message-ID, and sends it once', async () => {
    const gina = await signUp(t);
    const expiresAt = inDays(3);
    await createToken(t, gina, ['posts:read'], { name: 'flaky relay', expiresAt });
    clock.toDaysBefore(expiresAt, 0.5);
    receiver.failNext = 1;
    await runBackgroundOnce(t);
    expect(receiver.to(gina.email)).toHaveLength(0);
    const [failed] = await t.sql<{
      id: string;
      attempts: number;
      sent_at: Date | null;
      last_error: string | null;
      run_at: Date;
    }>('SELECT id, attempts, sent_at, last_error, run_at FROM mail_outbox WHERE user_id = $1', [
      gina.id,
    ]);
    expect(failed).toMatchObject({ attempts: 1, sent_at: null });
    expect(failed.last_error).toMatch(/451/);
    // Not before its backoff (10 s after the first failure)…
    await t.running.app.get(MailSender).drain();
    expect(receiver.to(gina.email)).toHaveLength(0);
    // …but after it.
    clock.advance(60_000);
    await t.running.app.get(MailSender).drain();
    await receiver.waitFor(() => receiver.to(gina.email).length >= 1);
    expect(receiver.to(gina.email).map((m) => m.messageId)).toEqual([
      `<mail-${failed.id}@getpaidx>`,
    ]);
    const [sent] = await t.sql<{ attempts: number; last_error: string | null }>(
      'SELECT attempts, last_error FROM mail_outbox WHERE id = $1',
      [failed.id],
    );
    expect(sent).toEqual({ attempts: 2, last_error: null });
  });

  it('sends a message whose sender died mid-send once its lease runs out (as after kill -9)', async () => {
    const hank = await signUp(t);
    const expiresAt = inDays(3);
    await createToken(t, hank, ['posts:read'], { name: 'orphaned', expiresAt });
    clock.toDaysBefore(expiresAt, 0.5);
    await t.running.app.get(TokenExpirySweep).runNow();
    await t.running.app.get(EventRelay).drain();
    // What a process killed after claiming leaves behind: a live lease, an attempt counted.
    const now = t.running.app.get(Clock).now();
    await t.sql(
      `UPDATE mail_outbox SET lease_owner = 'dead-host:1:abcd', attempts = 1,
              lease_expires_at = $2
        WHERE user_id = $1`,
      [hank.id, new Date(now.getTime() + 60_000).toISOString()],
    );
    const [row] = await t.sql<{ id: string }>('SELECT id FROM mail_outbox WHERE user_id = $1', [
      hank.id,
    ]);
    await t.running.app.get(MailSender).drain();
    expect(receiver.to(hank.email)).toHaveLength(0); // the lease still holds
    clock.advance(2 * 60_000);
    await t.running.app.get(MailSender).drain();
    await receiver.waitFor(() => receiver.to(hank.email).length >= 1);
    expect(receiver.to(hank.email).map((m) => m.messageId)).toEqual([`<mail-${row.id}@getpaidx>`]);
    const [after] = await t.sql<{ attempts: number; sent: boolean; lease_owner: string | null }>(
      'SELECT attempts, sent_at IS NOT NULL AS sent, lease_owner FROM mail_outbox WHERE id = $1',
      [row.id],
    );
    expect(after).toEqual({ attempts: 2, sent: true, lease_owner: null });
  });

  it('deletes messages sent more than 30 days ago, and keeps unsent ones', async () => {
    const ivy = await signUp(t);
    const now = t.running.app.get(Clock).now().getTime();
    const day = (n: number) => new Date(now - n * DAY).toISOString();
    await t.sql(
      `INSERT INTO mail_outbox (dedupe_key, user_id, to_address, kind, subject, text, run_at, sent_at, attempts)
       VALUES ('old:1', $1, $2, 'token.expired', 's', 't', $3, $3, 21),
              ('recent:1', $1, $2, 'token.expired', 's', 't', $4, $4, 1),
              ('unsent:1', $1, $2, 'token.expired', 's', 't', $3, NULL, 20)`,
      [ivy.id, ivy.email, day(31), day(29)],
    );
    // The purge runs at most hourly per instance: move past the last one.
    clock.advance(2 * 3600_000);
    await t.running.app.get(MailSender).drain();
    const left = await t.sql<{ dedupe_key: string }>(
      'SELECT dedupe_key FROM mail_outbox WHERE user_id = $1 ORDER BY dedupe_key',
      [ivy.id],
    );
    expect(left.map((r) => r.dedupe_key)).toEqual(['recent:1', 'unsent:1']);
  });

  it('answers a token in its last 7 days with a Warning header next to X-Token-Expires-At', async () => {
    const erin = await signUp(t);
    const soon = await createToken(t, erin, ['posts:read'], { expiresAt: inDays(5) });
    const later = await createToken(t, erin, ['posts:read'], { expiresAt: inDays(20) });

    const a = await t.http().get('/api/tokens/self').set(bearer(soon.token)).expect(200);
    const soonIso = new Date(soon.body.expiresAt!).toISOString();
    expect(a.headers['x-token-expires-at']).toBe(soonIso);
    expect(a.headers.warning).toBe(`299 - "token expires at ${soonIso}"`);

    const b = await t.http().get('/api/tokens/self').set(bearer(later.token)).expect(200);
    expect(b.headers['x-token-expires-at']).toBe(new Date(later.body.expiresAt!).toISOString());
    expect(b.headers.warning).toBeUndefined();
  });
});

describe('email without SMTP_URL: .eml files in DATA_DIR/mail', () => {
  const t = useTestApp({ env: { BACKGROUND_WORK: 'false' } });

  it('writes each message as an RFC 822 file a mail client opens', async () => {
    const clock = clockOf(t);
    const frank = await signUp(t);
    const expiresAt = inDays(3);
    await createToken(t, frank, ['posts:read'], { name: 'local dev', expiresAt });
    clock.toDaysBefore(expiresAt, 0.5);
    await runBackgroundOnce(t);

    const dir = join(t.config.dataDir, 'mail');
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const [row] = await t.sql<{ id: string }>('SELECT id FROM mail_outbox WHERE user_id = $1', [
      frank.id,
    ]);
    expect(files[0]).toBe(`mail-${row.id}@getpaidx.eml`);
    const mail = await simpleParser(readFileSync(join(dir, files[0])));
    expect(mail.messageId).toBe(`<mail-${row.id}@getpaidx>`);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe(frank.email);
    expect(mail.from?.value).toEqual([{ name: 'GetPaidX', address: 'no-reply@getpaidx.local' }]);
    expect(mail.subject).toBe('Your GetPaidX token "local dev" expires tomorrow');
    expect(mail.html).toContain('<a href="http://127.0.0.1:3000/settings/api">');
    const [sent] = await t.sql<{ sent_at: Date | null }>(
      'SELECT sent_at FROM mail_outbox WHERE id = $1',
      [row.id],
    );
    expect(sent.sent_at).not.toBeNull();
  });
});

/**
 * Two instances on one PostgreSQL database, each running its own sweep, relay and sender loops
 * every 20 ms: each warning reaches the SMTP server exactly once. PostgreSQL only: the embedded
 * database is one process's own.
 */
describe.runIf(onPostgres)('email: two instances send each expiry warning exactly once', () => {
  const receiver = new MailReceiver();
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    await receiver.start();
    const env = {
      SMTP_URL: receiver.url,
      EVENTS_POLL_MS: '20',
      TOKEN_EXPIRY_SWEEP_MS: '20',
    };
    first = await createTestApp({ env });
    second = await createTestApp({ env, sameDatabaseAs: first });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await receiver.close();
  });

  it('sends one message per token and stage between them', async () => {
    const clocks = [clockOf(first), clockOf(second)];
    const owners = await Promise.all([signUp(first), signUp(second), signUp(first)]);
    const expiresAt = inDays(45);
    const tokens = [];
    for (const owner of owners)
      for (let i = 0; i < 3; i++)
        tokens.push(await createToken(first, owner, ['posts:read'], { name: `t${i}`, expiresAt }));

    const stages = [29, 6, 0.5, -0.5];
    for (const [i, daysBefore] of stages.entries()) {
      for (const clock of clocks) clock.toDaysBefore(expiresAt, daysBefore);
      // Both loops run on their own; forcing a sweep on both at once adds a head-on race.
      await Promise.all([first, second].map((t) => t.running.app.get(TokenExpirySweep).runNow()));
      const expected = tokens.length * (i + 1);
      await receiver.waitFor(() => receiver.received.length >= expected, 20_000);
      // Give a duplicate time to show up.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.received).toHaveLength(expected);
    }

    const ids = receiver.received.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const owner of owners) expect(receiver.to(owner.email)).toHaveLength(3 * stages.length);
    const perStage = await first.sql<{ stage: string; n: string }>(
      'SELECT stage, count(*) AS n FROM token_expiry_notices GROUP BY stage ORDER BY stage',
    );
    expect(perStage).toEqual(
      ['1d', '30d', '7d', 'expired'].map((stage) => ({ stage, n: String(tokens.length) })),
    );
    // Nothing is left unsent, and no row needed a second attempt.
    const outbox = await first.sql<{ unsent: string; retried: string }>(
      `SELECT count(*) FILTER (WHERE sent_at IS NULL) AS unsent,
              count(*) FILTER (WHERE attempts > 1) AS retried FROM mail_outbox`,
    );
    expect(outbox).toEqual([{ unsent: '0', retried: '0' }]);
    for (const clock of clocks) clock.reset();
  }, 120_000);
});
