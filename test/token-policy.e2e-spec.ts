import { Clock } from '../src/common/index.js';
import { StaleTokensSweeper } from '../src/modules/account/index.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { createTestApp, type TestApp, useTestApp } from './support/test-app.js';

const DAY = 24 * 3600 * 1000;
const session = (u: SignedInUser) => ({ Cookie: u.cookie, 'X-CSRF-Token': u.csrfToken });
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** Every row a refused request might have written, to prove it wrote none. */
async function footprint(t: TestApp) {
  const count = async (sql: string) => Number((await t.sql<{ n: string }>(sql))[0].n);
  return {
    tokens: await count('SELECT count(*) AS n FROM personal_access_tokens'),
    created: await count("SELECT count(*) AS n FROM audit_events WHERE action = 'token.created'"),
    rotated: await count("SELECT count(*) AS n FROM audit_events WHERE action = 'token.rotated'"),
    policyAudits: await count(
      "SELECT count(*) AS n FROM audit_events WHERE action = 'token_policy.updated'",
    ),
    events: await count("SELECT count(*) AS n FROM domain_events WHERE type LIKE 'token.%'"),
    policyRows: await count('SELECT count(*) AS n FROM token_policy'),
  };
}

describe('token policies: creation inside the policy, admin routes, inventory', () => {
  const t = useTestApp({
    env: {
      ADMIN_EMAILS: 'admin@example.com',
      TOKEN_ADMIN_ONLY_SCOPES: 'transfers:manage',
      BACKGROUND_WORK: 'false',
    },
  });
  let admin: SignedInUser;
  let bob: SignedInUser;

  beforeAll(async () => {
    admin = await signUp(t, { email: 'admin@example.com' });
    bob = await signUp(t);
  });

  const putPolicy = (body: Record<string, unknown>) =>
    t.http().put('/api/admin/token-policy').set(session(admin)).send(body);
  afterEach(async () => {
    await putPolicy({}).expect(200); // back to the configuration
  });

  const create = (user: SignedInUser, body: Record<string, unknown>) =>
    t
      .http()
      .post('/api/tokens')
      .set(session(user))
      .send({ name: 'policy test', ...body });

  it('shows the effective policy and where each value comes from', async () => {
    const before = await t.http().get('/api/admin/token-policy').set(session(admin)).expect(200);
    expect(before.body).toEqual({
      effective: {
        maxLifetimeDays: null,
        expiryRequired: false,
        adminOnlyScopes: ['transfers:manage'],
        staleAfterDays: 365,
        staleWarningDays: 14,
      },
      source: {
        maxLifetimeDays: 'config',
        expiryRequired: 'config',
        adminOnlyScopes: 'config',
        staleAfterDays: 'config',
      },
      config: {
        maxLifetimeDays: null,
        expiryRequired: false,
        adminOnlyScopes: ['transfers:manage'],
        staleAfterDays: 365,
      },
      override: {
        maxLifetimeDays: null,
        expiryRequired: null,
        adminOnlyScopes: null,
        staleAfterDays: null,
      },
      updatedAt: null,
      updatedByUserId: null,
    });

    const put = await putPolicy({ maxLifetimeDays: 90, adminOnlyScopes: [] }).expect(200);
    expect(put.body).toMatchObject({
      effective: { maxLifetimeDays: 90, expiryRequired: false, adminOnlyScopes: [] },
      source: {
        maxLifetimeDays: 'override',
        expiryRequired: 'config',
        adminOnlyScopes: 'override',
        staleAfterDays: 'config',
      },
      override: { maxLifetimeDays: 90, adminOnlyScopes: [], expiryRequired: null },
      updatedByUserId: admin.id,
    });
    const [audit] = await t.sql<{ actor_user_id: string; details: Record<string, unknown> }>(
      "SELECT actor_user_id, details FROM audit_events WHERE action = 'token_policy.updated' ORDER BY created_at DESC LIMIT 1",
    );
    expect(audit).toEqual({
      actor_user_id: admin.id,
      details: expect.objectContaining({
        to: {
          maxLifetimeDays: 90,
          expiryRequired: null,
          adminOnlyScopes: [],
          staleAfterDays: null,
        },
      }),
    });
    const [row] = await t.sql('SELECT id, max_lifetime_days FROM token_policy');
    expect(row).toEqual({ id: 1, max_lifetime_days: 90 });
  });

  it('expiry_required: refuses a token without expiry with a 400 naming the rule, and writes nothing', async () => {
    await putPolicy({ expiryRequired: true }).expect(200);
    const before = await footprint(t);
    const res = await create(bob, { scopes: ['posts:read'] }).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({
      code: 'token_policy_violation',
      status: 400,
      rule: 'expiry_required',
      field: 'expiresAt',
      limit: true,
      errors: [{ field: 'expiresAt', message: expect.stringContaining('expiry is required') }],
    });
    expect(await footprint(t)).toEqual(before);
    await create(bob, { scopes: ['posts:read'], expiresAt: inDays(5) }).expect(201);
  });

  it('max_lifetime: refuses an expiry beyond the maximum (and none at all), allows one within', async () => {
    await putPolicy({ maxLifetimeDays: 30 }).expect(200);
    const before = await footprint(t);
    const far = await create(bob, { scopes: ['posts:read'], expiresAt: inDays(31) }).expect(400);
    expect(far.body).toMatchObject({
      code: 'token_policy_violation',
      rule: 'max_lifetime',
      field: 'expiresAt',
      limit: 30,
    });
    expect(far.body.detail).toContain('max_lifetime');
    const none = await create(bob, { scopes: ['posts:read'] }).expect(400);
    expect(none.body).toMatchObject({ rule: 'max_lifetime', field: 'expiresAt', limit: 30 });
    expect(await footprint(t)).toEqual(before);
    const ok = await create(bob, { scopes: ['posts:read'], expiresAt: inDays(29) }).expect(201);
    expect(ok.body.token).toMatch(/^gpx_pat_/);
  });

  it('admin_only_scope: a non-admin is refused naming the scope; an admin may grant it', async () => {
    await putPolicy({ adminOnlyScopes: ['payouts:manage'] }).expect(200);
    const before = await footprint(t);
    const res = await create(bob, { scopes: ['posts:read', 'payouts:manage'] }).expect(400);
    expect(res.body).toMatchObject({
      code: 'token_policy_violation',
      rule: 'admin_only_scope',
      field: 'scopes',
      limit: 'payouts:manage',
      violations: [expect.objectContaining({ rule: 'admin_only_scope', limit: 'payouts:manage' })],
    });
    expect(res.body.detail).toContain('payouts:manage');
    expect(await footprint(t)).toEqual(before);

    const granted = await create(admin, { scopes: ['payouts:manage'] }).expect(201);
    expect(granted.body.scopes).toEqual(['payouts:manage']);
  });

  it('applies the configured admin-only scopes when no override is set', async () => {
    const before = await footprint(t);
    const res = await create(bob, { scopes: ['transfers:manage'] }).expect(400);
    expect(res.body).toMatchObject({ rule: 'admin_only_scope', limit: 'transfers:manage' });
    expect(await footprint(t)).toEqual(before);
  });

  it('rotation keeps the expiry, so a grant the policy no longer allows cannot be rotated; nothing is written', async () => {
    const old = await createToken(t, bob, ['posts:read']); // no expiry: fine before the policy
    await putPolicy({ maxLifetimeDays: 30 }).expect(200);
    const before = await footprint(t);
    const res = await t
      .http()
      .post(`/api/tokens/${old.id}/rotate`)
      .set(session(bob))
      .send({})
      .expect(400);
    expect(res.body).toMatchObject({ code: 'token_policy_violation', rule: 'max_lifetime' });
    const self = await t.http().post('/api/tokens/self/rotate').set(bearer(old.token)).send({});
    expect(self.status).toBe(400);
    expect(self.body.rule).toBe('max_lifetime');
    expect(await footprint(t)).toEqual(before);
    const [row] = await t.sql('SELECT replaced_by_id FROM personal_access_tokens WHERE id = $1', [
      old.id,
    ]);
    expect(row).toEqual({ replaced_by_id: null });
    await t.http().get('/api/tokens/self').set(bearer(old.token)).expect(200);

    const within = await createToken(t, bob, ['posts:read'], { expiresAt: inDays(20) });
    await t.http().post(`/api/tokens/${within.id}/rotate`).set(session(bob)).send({}).expect(201);
  });

  it('lists violators of a policy tightened after creation, paginated, and leaves the tokens untouched', async () => {
    const carol = await signUp(t);
    const noExpiry = await createToken(t, carol, ['posts:read'], { name: 'forever' });
    const payouts = await createToken(t, carol, ['payouts:manage'], {
      name: 'payouts',
      expiresAt: inDays(10),
    });
    const compliant = await createToken(t, carol, ['posts:read'], { expiresAt: inDays(10) });
    const adminOwn = await createToken(t, admin, ['payouts:manage'], { expiresAt: inDays(10) });
    const snapshot = () =>
      t.sql('SELECT * FROM personal_access_tokens WHERE user_id = $1 ORDER BY id', [carol.id]);
    const tokensBefore = await snapshot();

    // Under the configured policy (only transfers:manage is admin-only) none of them violates.
    const none = await t
      .http()
      .get('/api/admin/tokens')
      .query({ violates: 'policy', userId: carol.id })
      .set(session(admin))
      .expect(200);
    expect(none.body).toEqual({ items: [], nextCursor: null });
    // With no rule at all nothing can violate.
    await putPolicy({ adminOnlyScopes: [] }).expect(200);
    const open = await t
      .http()
      .get('/api/admin/tokens')
      .query({ violates: 'policy' })
      .set(session(admin))
      .expect(200);
    expect(open.body).toEqual({ items: [], nextCursor: null });

    await putPolicy({ maxLifetimeDays: 30, adminOnlyScopes: ['payouts:manage'] }).expect(200);
    expect(await snapshot()).toEqual(tokensBefore);

    const all = await t
      .http()
      .get('/api/admin/tokens')
      .query({ violates: 'policy', userId: carol.id })
      .set(session(admin))
      .expect(200);
    expect(all.body).toEqual({
      items: [
        expect.objectContaining({
          id: payouts.id,
          prefix: payouts.body.prefix,
          owner: { id: carol.id, email: carol.email, isAdmin: false },
          violates: ['admin_only_scope'],
        }),
        expect.objectContaining({
          id: noExpiry.id,
          name: 'forever',
          owner: expect.objectContaining({ id: carol.id }),
          violates: ['max_lifetime'],
        }),
      ],
      nextCursor: null,
    });
    const ids = (all.body.items as { id: string }[]).map((i) => i.id);
    expect(ids).not.toContain(compliant.id);
    expect(JSON.stringify(all.body)).not.toContain(noExpiry.token);

    // Across owners: the admin's own payouts token is within the policy (admins may hold it).
    const page1 = await t
      .http()
      .get('/api/admin/tokens')
      .query({ violates: 'policy', limit: 1 })
      .set(session(admin))
      .expect(200);
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const everyone: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await t
        .http()
        .get('/api/admin/tokens')
        .query({ violates: 'policy', limit: 2, ...(cursor ? { cursor } : {}) })
        .set(session(admin))
        .expect(200);
      everyone.push(...(page.body.items as { id: string }[]).map((i) => i.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(everyone).toEqual(expect.arrayContaining([payouts.id, noExpiry.id]));
    expect(everyone).not.toContain(adminOwn.id);
    expect(everyone).not.toContain(compliant.id);
    expect(new Set(everyone).size).toBe(everyone.length);

    // Listing changed nothing, and the tokens still work: a policy change never changes them.
    expect(await snapshot()).toEqual(tokensBefore);
    await t.http().get('/api/tokens/self').set(bearer(noExpiry.token)).expect(200);

    // Without the filter the list is the usual one; a bad filter is a 400 naming it.
    const bad = await t
      .http()
      .get('/api/admin/tokens')
      .query({ violates: 'everything' })
      .set(session(admin))
      .expect(400);
    expect(bad.body.errors[0].field).toBe('violates');
  });

  it('an override of staleAfterDays 0 turns the stale clean-up off for every token', async () => {
    const { id } = await createToken(t, bob, ['posts:read']);
    await putPolicy({ staleAfterDays: 0 }).expect(200);
    const clock = vi
      .spyOn(t.running.app.get(Clock), 'now')
      .mockReturnValue(new Date(Date.now() + 1000 * DAY));
    try {
      expect(await t.running.app.get(StaleTokensSweeper).sweep()).toBe(0);
    } finally {
      clock.mockRestore();
    }
    expect(await t.sql("SELECT 1 FROM domain_events WHERE type = 'token.stale_warning'")).toEqual(
      [],
    );
    const [row] = await t.sql(
      'SELECT stale_warned_at, revoked_at FROM personal_access_tokens WHERE id = $1',
      [id],
    );
    expect(row).toEqual({ stale_warned_at: null, revoked_at: null });
  });

  it('refuses bad overrides naming the field, and writes nothing', async () => {
    const before = await footprint(t);
    const stale = await putPolicy({ staleAfterDays: 10 }).expect(400);
    expect(stale.body.errors).toEqual([expect.objectContaining({ field: 'staleAfterDays' })]);
    const scope = await putPolicy({ adminOnlyScopes: ['posts:delete'] }).expect(400);
    expect(scope.body.errors[0].field).toMatch(/^adminOnlyScopes/);
    const days = await putPolicy({ maxLifetimeDays: 400 }).expect(400);
    expect(days.body.errors[0].field).toBe('maxLifetimeDays');
    expect(await footprint(t)).toEqual(before);
  });

  it('refuses non-admins (admin_required) and tokens (session_required) on the admin routes, writing nothing', async () => {
    const { token } = await createToken(t, admin, ['posts:read']);
    const before = await footprint(t);
    const get = await t.http().get('/api/admin/token-policy').set(session(bob)).expect(403);
    expect(get.body.code).toBe('admin_required');
    const put = await t
      .http()
      .put('/api/admin/token-policy')
      .set(session(bob))
      .send({ expiryRequired: true })
      .expect(403);
    expect(put.body.code).toBe('admin_required');
    const list = await t
      .http()
      .get('/api/admin/tokens')
      .query({ violates: 'policy' })
      .set(session(bob))
      .expect(403);
    expect(list.body.code).toBe('admin_required');
    const pat = await t
      .http()
      .put('/api/admin/token-policy')
      .set(bearer(token))
      .send({ expiryRequired: true })
      .expect(403);
    expect(pat.body.code).toBe('session_required');
    expect(await footprint(t)).toEqual(before);
    const [policy] = await t.sql<{ expiry_required: boolean | null }>(
      'SELECT expiry_required FROM token_policy',
    );
    expect(policy?.expiry_required ?? null).toBeNull();
  });
});

/** Moves the app's injected clock to `offsetMs` past the real time the helper was made. */
function clockOf(t: TestApp, base: number) {
  const clock = t.running.app.get(Clock);
  const spy = vi.spyOn(clock, 'now');
  return {
    at(offsetMs: number) {
      spy.mockImplementation(() => new Date(base + offsetMs));
      return new Date(base + offsetMs);
    },
    real() {
      spy.mockRestore();
    },
  };
}

describe('token policies: stale-token clean-up', () => {
  const t = useTestApp({ env: { BACKGROUND_WORK: 'false' } });
  let second: TestApp | undefined;
  let owner: SignedInUser;

  beforeAll(async () => {
    owner = await signUp(t);
    // Two instances on PostgreSQL, as in a deployment; on the embedded database, two concurrent
    // sweeps of the one instance.
    if (t.databaseUrl)
      second = await createTestApp({ sameDatabaseAs: t, env: { BACKGROUND_WORK: 'false' } });
  });
  afterAll(async () => {
    await second?.close();
  });

  const sweepers = () => [
    t.running.app.get(StaleTokensSweeper),
    (second ?? t).running.app.get(StaleTokensSweeper),
  ];
  const race = () => Promise.all(sweepers().map((s) => s.sweep()));
  const events = (type: string, tokenId: string) =>
    t.sql<{ data: Record<string, unknown>; recipients: string[] }>(
      "SELECT data, recipients FROM domain_events WHERE type = $1 AND data->>'tokenId' = $2",
      [type, tokenId],
    );
  const tokenRow = async (id: string) =>
    (
      await t.sql<{ stale_warned_at: Date | null; revoked_at: Date | null }>(
        'SELECT stale_warned_at, revoked_at FROM personal_access_tokens WHERE id = $1',
        [id],
      )
    )[0];

  it('warns once 14 days before, revokes after N days through the revoke path, and a use clears the warning', async () => {
    const base = Date.now();
    const clocks = [t, ...(second ? [second] : [])].map((app) => clockOf(app, base));
    const at = (ms: number) => clocks.map((c) => c.at(ms))[0];
    try {
      const idle = await createToken(t, owner, ['posts:read'], { name: 'forgotten' });
      const busy = await createToken(t, owner, ['posts:read'], { name: 'busy' });
      const expiring = await createToken(t, owner, ['posts:read'], {
        name: 'expires first',
        expiresAt: inDays(360),
      });

      // 300 days unused: not yet due for a warning (365 − 14 = 351 days).
      at(300 * DAY);
      await race();
      expect((await tokenRow(idle.id)).stale_warned_at).toBeNull();

      const warnedAt = at(352 * DAY);
      const done = await race();
      expect(done.reduce((a, b) => a + b, 0)).toBe(2); // idle and busy, each by one sweep
      await race(); // and again: nothing new
      for (const token of [idle, busy]) {
        const warnings = await events('token.stale_warning', token.id);
        expect(warnings).toHaveLength(1);
        expect(warnings[0].recipients).toEqual([owner.id]);
      }
      const [warning] = await events('token.stale_warning', idle.id);
      expect(warning.data).toEqual({
        tokenId: idle.id,
        name: 'forgotten',
        tokenPrefix: idle.body.prefix,
        lastUsedAt: null,
        // Warned a day late (352, not 351 days): the full 14 days still run from the warning.
        revokesAt: new Date(warnedAt.getTime() + 14 * DAY).toISOString(),
      });
      expect((await tokenRow(idle.id)).stale_warned_at).toEqual(warnedAt);
      // A token that expires before it would be revoked is left to expire, unwarned.
      expect(await events('token.stale_warning', expiring.id)).toEqual([]);

      // The busy token is used again: the warning is cleared and it is no longer stale.
      await t.http().get('/api/tokens/self').set(bearer(busy.token)).expect(200);
      await vi.waitFor(async () => expect((await tokenRow(busy.id)).stale_warned_at).toBeNull());

      // 365 days unused but warned only 13 days ago: not yet.
      at(365 * DAY);
      await race();
      expect((await tokenRow(idle.id)).revoked_at).toBeNull();
      await t.http().get('/api/tokens/self').set(bearer(idle.token)).expect(200);
      // …that use cleared its warning too; age it again so the revocation path is exercised.
      await vi.waitFor(async () => expect((await tokenRow(idle.id)).stale_warned_at).toBeNull());
      at((365 + 352) * DAY);
      await race();
      const rewarnedAt = (await tokenRow(idle.id)).stale_warned_at;
      expect(rewarnedAt).toEqual(new Date(base + (365 + 352) * DAY));
      expect(await events('token.stale_warning', idle.id)).toHaveLength(2);
      expect((await events('token.stale_warning', idle.id))[1].data.lastUsedAt).toBe(
        new Date(base + 365 * DAY).toISOString(),
      );

      at((365 + 366) * DAY + 60_000);
      const revoked = await race();
      expect(revoked.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
      expect((await tokenRow(idle.id)).revoked_at).not.toBeNull();
      const revocations = await events('token.revoked', idle.id);
      expect(revocations).toEqual([
        {
          data: { tokenId: idle.id, name: 'forgotten', prefix: idle.body.prefix, by: 'stale' },
          recipients: [owner.id],
        },
      ]);
      const audits = await t.sql(
        "SELECT details FROM audit_events WHERE action = 'token.revoked' AND details->>'tokenId' = $1",
        [idle.id],
      );
      expect(audits).toEqual([
        { details: expect.objectContaining({ by: 'stale', ownerUserId: owner.id }) },
      ]);
      const dead = await t.http().get('/api/tokens/self').set(bearer(idle.token)).expect(401);
      expect(dead.body.code).toBe('invalid_token');
      if (second) await second.http().get('/api/tokens/self').set(bearer(idle.token)).expect(401);

      // The busy token (used at day 352) is revoked only after its own warning, not before.
      expect((await tokenRow(busy.id)).revoked_at).not.toBeNull(); // unused since 352: warned and revoked by now
      expect(await events('token.revoked', busy.id)).toHaveLength(1);
    } finally {
      clocks.forEach((c) => c.real());
    }
  });

  it('does nothing when TOKEN_STALE_AFTER_DAYS=0', async () => {
    const app = await createTestApp({
      env: { BACKGROUND_WORK: 'false', TOKEN_STALE_AFTER_DAYS: '0' },
    });
    try {
      const user = await signUp(app);
      const token = await createToken(app, user, ['posts:read']);
      vi.spyOn(app.running.app.get(Clock), 'now').mockReturnValue(
        new Date(Date.now() + 1000 * DAY),
      );
      expect(await app.running.app.get(StaleTokensSweeper).sweep()).toBe(0);
      expect(
        await app.sql("SELECT 1 FROM domain_events WHERE type = 'token.stale_warning'"),
      ).toEqual([]);
      const [row] = await app.sql<{ revoked_at: Date | null }>(
        'SELECT revoked_at FROM personal_access_tokens WHERE id = $1',
        [token.id],
      );
      expect(row.revoked_at).toBeNull();
    } finally {
      await app.close();
    }
  });
});
