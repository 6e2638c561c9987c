import { NotificationPreferences } from '../src/modules/account/index.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { databaseState } from './support/route-matrix.js';
import { useTestApp } from './support/test-app.js';

/**
 * Notification settings (GET/PATCH /api/account/notification-settings) and the question other
 * modules ask, NotificationPreferences.mayNotify. Access with each credential is in
 * test/account-access.e2e-spec.ts; here: the rules, bad input, one user's settings against
 * another's, and first reads racing.
 */

const t = useTestApp();
const PATH = '/api/account/notification-settings';

const DEFAULTS = {
  email: {
    pausedAll: false,
    paymentsAndReceipts: true,
    reminders: true,
    onboardingTips: true,
    productUpdates: false,
  },
  push: { enabled: true },
};

const session = (u: SignedInUser) => ({ Cookie: u.cookie, 'X-CSRF-Token': u.csrfToken });
const getSettings = (u: SignedInUser) => t.http().get(PATH).set(session(u));
const patchSettings = (u: SignedInUser, body: unknown) =>
  t
    .http()
    .patch(PATH)
    .set(session(u))
    .send(body as object);

/** The user's row as stored, or undefined when they have none. */
const row = async (userId: string) =>
  (await t.sql('SELECT * FROM notification_settings WHERE user_id = $1', [userId]))[0];
const rowCount = async (userId: string) =>
  Number(
    (
      await t.sql<{ n: string }>(
        'SELECT count(*) AS n FROM notification_settings WHERE user_id = $1',
        [userId],
      )
    )[0].n,
  );

/** The stored row as the API shape, to compare with answers. */
const stored = async (userId: string) => {
  const r = await row(userId);
  if (!r) return undefined;
  return {
    email: {
      pausedAll: r.email_paused_all,
      paymentsAndReceipts: r.email_payments_and_receipts,
      reminders: r.email_reminders,
      onboardingTips: r.email_onboarding_tips,
      productUpdates: r.email_product_updates,
    },
    push: { enabled: r.push_enabled },
    updatedAt: (r.updated_at as Date).toISOString(),
  };
};

/** Waits until some query of this database is waiting on a lock (the racing insert). */
async function waitForLockWaiter(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [{ n }] = await t.sql<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (Number(n) > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the first read never waited on the other transaction');
}

describe('GET /api/account/notification-settings', () => {
  it('creates the row with the documented defaults on first read, and answers it', async () => {
    const u = await signUp(t);
    expect(await row(u.id)).toBeUndefined();
    const res = await getSettings(u).expect(200);
    expect(res.body).toEqual({ ...DEFAULTS, updatedAt: expect.any(String) });
    expect(await stored(u.id)).toEqual(res.body);
    // A second read answers the same row; it does not touch it.
    expect((await getSettings(u).expect(200)).body).toEqual(res.body);
    expect(await rowCount(u.id)).toBe(1);
  });

  it('survives many first reads at once: every one answers 200 with the same row, and one row exists', async () => {
    const u = await signUp(t);
    const answers = await Promise.all(Array.from({ length: 12 }, () => getSettings(u)));
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(200));
    const first = answers[0].body as unknown;
    for (const r of answers) expect(r.body).toEqual(first);
    expect(await rowCount(u.id)).toBe(1);
    expect(await stored(u.id)).toEqual(first);
  });

  // Deterministic where the database allows two connections: another transaction holds an
  // uncommitted first row, so the read finds no row and its insert waits on that one; once the
  // other commits, the insert must give way (ON CONFLICT DO NOTHING) and the read answer it.
  it.skipIf(!process.env.DATABASE_URL)(
    'answers a first read whose insert loses to a concurrent one with the winner’s row',
    async () => {
      const u = await signUp(t);
      const other = t.db.createQueryRunner();
      await other.connect();
      try {
        await other.startTransaction();
        await other.query(
          'INSERT INTO notification_settings (user_id, email_reminders) VALUES ($1, false)',
          [u.id],
        );
        const read = getSettings(u).then((r) => r);
        await waitForLockWaiter();
        await other.commitTransaction();
        const res = await read;
        expect(res.status, res.text).toBe(200);
        expect(res.body).toMatchObject({ email: { ...DEFAULTS.email, reminders: false } });
        expect(await rowCount(u.id)).toBe(1);
      } finally {
        if (other.isTransactionActive) await other.rollbackTransaction();
        await other.release();
      }
    },
  );

  it('survives a first read racing a first change: the change is kept', async () => {
    const u = await signUp(t);
    const results = await Promise.all([
      getSettings(u),
      patchSettings(u, { email: { reminders: false } }),
      getSettings(u),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await rowCount(u.id)).toBe(1);
    expect((await stored(u.id))?.email.reminders).toBe(false);
  });
});

describe('PATCH /api/account/notification-settings', () => {
  it('changes only the fields sent and answers the full settings, as stored', async () => {
    const u = await signUp(t);
    const before = (await getSettings(u).expect(200)).body as { updatedAt: string };
    const res = await patchSettings(u, {
      email: { pausedAll: true, productUpdates: true },
      push: { enabled: false },
    }).expect(200);
    expect(res.body).toEqual({
      email: { ...DEFAULTS.email, pausedAll: true, productUpdates: true },
      push: { enabled: false },
      updatedAt: expect.any(String),
    });
    expect(Date.parse(res.body.updatedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(before.updatedAt),
    );
    expect(await stored(u.id)).toEqual(res.body);

    // A later patch of one field keeps the earlier changes.
    const again = await patchSettings(u, { email: { pausedAll: false } }).expect(200);
    expect(again.body).toMatchObject({
      email: { ...DEFAULTS.email, pausedAll: false, productUpdates: true },
      push: { enabled: false },
    });
    expect(await stored(u.id)).toEqual(again.body);
  });

  it('creates the row on a first change, with the defaults for the fields not sent', async () => {
    const u = await signUp(t);
    const res = await patchSettings(u, { push: { enabled: false } }).expect(200);
    expect(res.body).toEqual({
      email: DEFAULTS.email,
      push: { enabled: false },
      updatedAt: expect.any(String),
    });
    expect(await stored(u.id)).toEqual(res.body);
  });

  it('answers the current settings for an empty patch (or empty sections), changing nothing', async () => {
    const u = await signUp(t);
    await patchSettings(u, { email: { reminders: false } }).expect(200);
    const current = await stored(u.id);
    for (const body of [{}, { email: {} }, { email: {}, push: {} }]) {
      const res = await patchSettings(u, body).expect(200);
      expect(res.body, JSON.stringify(body)).toEqual(current);
    }
    expect(await stored(u.id)).toEqual(current);
  });

  it('bumps updatedAt on a change', async () => {
    const u = await signUp(t);
    await getSettings(u).expect(200);
    await t.sql(
      `UPDATE notification_settings SET updated_at = '2020-01-01T00:00:00Z' WHERE user_id = $1`,
      [u.id],
    );
    const res = await patchSettings(u, { email: { onboardingTips: false } }).expect(200);
    expect(Date.parse(res.body.updatedAt as string)).toBeGreaterThan(Date.parse('2021-01-01'));
    expect((await stored(u.id))?.updatedAt).toBe(res.body.updatedAt);
  });

  it.each<[string, unknown, string]>([
    ['a null leaf', { email: { reminders: null } }, 'email.reminders'],
    ['a string leaf', { email: { pausedAll: 'true' } }, 'email.pausedAll'],
    ['a number leaf', { push: { enabled: 1 } }, 'push.enabled'],
    ['an unknown email field', { email: { sms: true } }, 'email.sms'],
    ['an unknown push field', { push: { sound: true } }, 'push.sound'],
    ['an unknown section', { sms: { enabled: true } }, 'sms'],
    ['a leaf at the top', { pausedAll: true }, 'pausedAll'],
    ['a null section', { email: null }, 'email'],
    ['a boolean section', { push: false }, 'push'],
    ['an array section', { email: [true] }, 'email'],
    ['a string section', { email: 'all' }, 'email'],
  ])(
    'refuses %s with 400 validation_failed naming the field, changing nothing',
    async (_, body, field) => {
      const u = await signUp(t);
      await patchSettings(u, { email: { reminders: false } }).expect(200);
      const before = await databaseState(t);
      const res = await patchSettings(u, body).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'validation_failed' });
      expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(
        field,
      );
      expect(await databaseState(t)).toEqual(before);
    },
  );

  it('refuses a whole valid patch when one field is bad (nothing applied)', async () => {
    const u = await signUp(t);
    await getSettings(u).expect(200);
    const before = await stored(u.id);
    const res = await patchSettings(u, {
      email: { pausedAll: true, reminders: 'no' },
      push: { enabled: false },
    }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'email.reminders', message: expect.any(String) }]);
    expect(await stored(u.id)).toEqual(before);
  });
});

describe("one user's settings and another's", () => {
  it('each user reads and changes only their own row', async () => {
    const alice = await signUp(t);
    const bob = await signUp(t);
    await getSettings(bob).expect(200);
    const bobBefore = await stored(bob.id);

    await patchSettings(alice, { email: { pausedAll: true }, push: { enabled: false } }).expect(
      200,
    );
    const aliceToken = await createToken(t, alice, ['notifications:write']);
    await t
      .http()
      .patch(PATH)
      .set(bearer(aliceToken.token))
      .send({ email: { productUpdates: true } })
      .expect(200);

    expect(await stored(bob.id)).toEqual(bobBefore);
    expect((await getSettings(bob).expect(200)).body).toEqual(bobBefore);
    expect(await stored(alice.id)).toMatchObject({
      email: { ...DEFAULTS.email, pausedAll: true, productUpdates: true },
      push: { enabled: false },
    });

    // Bob's own token reads Bob's settings, not Alice's.
    const bobToken = await createToken(t, bob, ['notifications:read']);
    const res = await t.http().get(PATH).set(bearer(bobToken.token)).expect(200);
    expect(res.body).toEqual(bobBefore);

    // A user who never asked still has no row.
    const carol = await signUp(t);
    expect(await row(carol.id)).toBeUndefined();
  });

  it('goes with its user', async () => {
    const u = await signUp(t);
    await getSettings(u).expect(200);
    await t.sql('DELETE FROM users WHERE id = $1', [u.id]);
    expect(await row(u.id)).toBeUndefined();
  });
});

describe('notification scopes', () => {
  it('lets notifications:write read as well (it implies notifications:read)', async () => {
    const u = await signUp(t);
    const { token } = await createToken(t, u, ['notifications:write']);
    const res = await t.http().get(PATH).set(bearer(token)).expect(200);
    expect(await stored(u.id)).toEqual(res.body);
  });

  it('refuses a change with notifications:read only (insufficient_scope), storing nothing', async () => {
    const u = await signUp(t);
    const { token } = await createToken(t, u, ['notifications:read']);
    const before = await databaseState(t);
    const res = await t
      .http()
      .patch(PATH)
      .set(bearer(token))
      .send({ email: { pausedAll: true } })
      .expect(403);
    expect(res.body).toMatchObject({
      code: 'insufficient_scope',
      requiredScopes: ['notifications:write'],
    });
    expect(await databaseState(t)).toEqual(before);
    expect(await row(u.id)).toBeUndefined();
  });
});

describe('NotificationPreferences.mayNotify (what other modules ask)', () => {
  const prefs = () => t.running.app.get(NotificationPreferences);
  const ask = async (userId: string) => ({
    receipt: await prefs().mayNotify(userId, 'receipt'),
    payments_and_receipts: await prefs().mayNotify(userId, 'payments_and_receipts'),
    reminders: await prefs().mayNotify(userId, 'reminders'),
    onboarding_tips: await prefs().mayNotify(userId, 'onboarding_tips'),
    product_updates: await prefs().mayNotify(userId, 'product_updates'),
    push: await prefs().mayNotify(userId, 'push'),
  });

  it('answers a user without a row from the defaults, without creating one', async () => {
    const u = await signUp(t);
    expect(await ask(u.id)).toEqual({
      receipt: true,
      payments_and_receipts: true,
      reminders: true,
      onboarding_tips: true,
      product_updates: false,
      push: true,
    });
    expect(await row(u.id)).toBeUndefined();
  });

  it('still allows receipts while email is paused; push follows its own switch', async () => {
    const u = await signUp(t);
    await patchSettings(u, { email: { pausedAll: true, productUpdates: true } }).expect(200);
    expect(await ask(u.id)).toEqual({
      receipt: true,
      payments_and_receipts: false,
      reminders: false,
      onboarding_tips: false,
      product_updates: false,
      push: true,
    });
    await patchSettings(u, { email: { pausedAll: false }, push: { enabled: false } }).expect(200);
    expect(await ask(u.id)).toEqual({
      receipt: true,
      payments_and_receipts: true,
      reminders: true,
      onboarding_tips: true,
      product_updates: true,
      push: false,
    });
  });

  it('still allows receipts with payment mail off', async () => {
    const u = await signUp(t);
    await patchSettings(u, { email: { paymentsAndReceipts: false } }).expect(200);
    expect(await prefs().mayNotify(u.id, 'receipt')).toBe(true);
    expect(await prefs().mayNotify(u.id, 'payments_and_receipts')).toBe(false);
  });

  it("answers from the user's own row only", async () => {
    const quiet = await signUp(t);
    const other = await signUp(t);
    await patchSettings(quiet, { email: { reminders: false } }).expect(200);
    expect(await prefs().mayNotify(quiet.id, 'reminders')).toBe(false);
    expect(await prefs().mayNotify(other.id, 'reminders')).toBe(true);
  });

  it('refuses every category for a user who does not exist, or an id that is not one', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', ''])
      expect(await ask(id), id).toEqual({
        receipt: false,
        payments_and_receipts: false,
        reminders: false,
        onboarding_tips: false,
        product_updates: false,
        push: false,
      });
  });
});
