import { Clock } from '../src/common/index.js';
import { TokenRevocationListener } from '../src/modules/account/tokens/token-revocation.listener.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { createTestApp, type TestApp, useTestApp } from './support/test-app.js';

const MINUTE = 60_000;
const session = (u: SignedInUser) => ({ Cookie: u.cookie, 'X-CSRF-Token': u.csrfToken });

/** Moves the app's injected clock (expiry and rotation grace read it) instead of sleeping. */
function clockOf(t: TestApp) {
  const clock = t.running.app.get(Clock);
  let offsetMs = 0;
  const real = clock.now.bind(clock);
  vi.spyOn(clock, 'now').mockImplementation(() => new Date(real().getTime() + offsetMs));
  return {
    advance(ms: number) {
      offsetMs += ms;
    },
    restore() {
      offsetMs = 0;
    },
  };
}

describe('tokens: rotation with a grace period', () => {
  const t = useTestApp();
  let alice: SignedInUser;
  let clock: ReturnType<typeof clockOf>;

  beforeAll(async () => {
    alice = await signUp(t);
    clock = clockOf(t);
  });
  afterEach(() => clock.restore());

  const status = async (token: string) =>
    (await t.http().get('/api/tokens/self').set(bearer(token))).status;
  const row = async (id: string) =>
    (await t.sql('SELECT * FROM personal_access_tokens WHERE id = $1', [id]))[0];
  const countTokens = async () =>
    Number((await t.sql<{ n: string }>('SELECT count(*) AS n FROM personal_access_tokens'))[0].n);

  it('gives a new value for the same grant; the old one works until the grace ends, then is refused and its reuse audited', async () => {
    const expiresAt = new Date(Date.now() + 200 * 24 * 3600 * 1000).toISOString();
    const old = await createToken(t, alice, ['posts:read', 'places:read'], {
      name: 'nightly',
      expiresAt,
    });
    const res = await t
      .http()
      .post(`/api/tokens/${old.id}/rotate`)
      .set(session(alice))
      .send({ graceSeconds: 600 })
      .expect(201);
    const fresh = res.body as Record<string, string>;
    expect(fresh).toMatchObject({
      name: 'nightly',
      scopes: ['places:read', 'posts:read'],
      expiresAt: old.body.expiresAt,
      rotatedAt: expect.any(String),
    });
    expect(fresh.token).toMatch(/^gpx_pat_/);
    expect(fresh.token).not.toBe(old.token);
    const graceEnds = new Date(fresh.previousValueValidUntil).getTime();
    expect(graceEnds - new Date(fresh.rotatedAt).getTime()).toBe(600_000);
    expect(await row(old.id)).toMatchObject({ replaced_by_id: fresh.id, revoked_at: null });
    expect(JSON.stringify(await row(fresh.id))).not.toContain(fresh.token);

    // Both work during the grace; Settings → API lists the grant once, noting the old value.
    expect(await status(old.token)).toBe(200);
    expect(await status(fresh.token)).toBe(200);
    const list = await t.http().get('/api/tokens').set(session(alice)).expect(200);
    const listed = (list.body.items as Record<string, unknown>[]).filter(
      (i) => i.name === 'nightly',
    );
    expect(listed).toEqual([
      expect.objectContaining({
        id: fresh.id,
        previousValueValidUntil: fresh.previousValueValidUntil,
      }),
    ]);

    clock.advance(10 * MINUTE + 1000);
    const refused = await t.http().get('/api/me').set(bearer(old.token));
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'invalid_token' });
    expect(await status(fresh.token)).toBe(200);
    await expect
      .poll(() =>
        t.sql(
          `SELECT actor_user_id, details FROM audit_events
            WHERE action = 'token.reuse_after_rotation' AND actor_token_id = $1`,
          [old.id],
        ),
      )
      .toEqual([
        {
          actor_user_id: alice.id,
          details: expect.objectContaining({ tokenId: old.id, replacedBy: fresh.id }),
        },
      ]);
    const [rotated] = await t.sql<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_events WHERE action = 'token.rotated' AND details->>'tokenId' = $1`,
      [old.id],
    );
    expect(rotated.details).toMatchObject({ newTokenId: fresh.id, by: 'owner' });
    // The listing no longer mentions a predecessor that stopped working.
    const after = await t.http().get('/api/tokens').set(session(alice)).expect(200);
    expect(
      (after.body.items as Record<string, unknown>[]).find((i) => i.id === fresh.id),
    ).toMatchObject({ previousValueValidUntil: null });
  });

  it('lets a token rotate itself (default grace one hour), once', async () => {
    const old = await createToken(t, alice, ['posts:write']);
    const res = await t.http().post('/api/tokens/self/rotate').set(bearer(old.token)).expect(201);
    const fresh = res.body as Record<string, string>;
    expect(fresh.scopes).toEqual(['posts:write']);
    expect(
      new Date(fresh.previousValueValidUntil).getTime() - new Date(fresh.rotatedAt).getTime(),
    ).toBe(3600_000);
    const [audit] = await t.sql<{ actor_token_id: string; details: Record<string, unknown> }>(
      `SELECT actor_token_id, details FROM audit_events WHERE action = 'token.rotated' AND details->>'tokenId' = $1`,
      [old.id],
    );
    expect(audit).toMatchObject({ actor_token_id: old.id, details: { by: 'self' } });

    // The old value, still in its grace, cannot rotate again: rotate the new one instead.
    const before = await countTokens();
    const again = await t.http().post('/api/tokens/self/rotate').set(bearer(old.token));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'conflict' });
    expect(await countTokens()).toBe(before);

    clock.advance(59 * MINUTE);
    expect(await status(old.token)).toBe(200);
    clock.advance(2 * MINUTE);
    expect(await status(old.token)).toBe(401);
    expect(await status(fresh.token)).toBe(200);
  });

  it('ends the old value at once with graceSeconds 0', async () => {
    const old = await createToken(t, alice, ['posts:read']);
    expect(await status(old.token)).toBe(200); // cached as verified
    const res = await t
      .http()
      .post('/api/tokens/self/rotate')
      .set(bearer(old.token))
      .send({ graceSeconds: 0 })
      .expect(201);
    expect(await status(old.token)).toBe(401);
    expect(await status((res.body as { token: string }).token)).toBe(200);
  });

  it('refuses a grace over seven days or negative with 400 naming graceSeconds, rotating nothing', async () => {
    const old = await createToken(t, alice, ['posts:read']);
    for (const graceSeconds of [7 * 24 * 3600 + 1, -1, 1.5, 'soon']) {
      const before = await countTokens();
      const res = await t
        .http()
        .post(`/api/tokens/${old.id}/rotate`)
        .set(session(alice))
        .send({ graceSeconds });
      expect(res.status).toBe(400);
      const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
      expect(new Set(fields)).toEqual(new Set(['graceSeconds']));
      expect(await countTokens()).toBe(before);
      expect(await row(old.id)).toMatchObject({ replaced_by_id: null, grace_until: null });
    }
  });

  it("answers 404 for another user's token, leaving it as it was", async () => {
    const bob = await signUp(t);
    const bobs = await createToken(t, bob, ['posts:read']);
    const res = await t.http().post(`/api/tokens/${bobs.id}/rotate`).set(session(alice)).send({});
    expect(res.status).toBe(404);
    expect(await row(bobs.id)).toMatchObject({ replaced_by_id: null, grace_until: null });
    expect(await status(bobs.token)).toBe(200);
  });

  it('revoking the new token also ends the old value’s grace', async () => {
    const old = await createToken(t, alice, ['posts:read']);
    const fresh = (
      await t.http().post(`/api/tokens/${old.id}/rotate`).set(session(alice)).send({}).expect(201)
    ).body as { id: string; token: string };
    expect(await status(old.token)).toBe(200);
    await t.http().delete(`/api/tokens/${fresh.id}`).set(session(alice)).expect(204);
    expect(await status(fresh.token)).toBe(401);
    expect(await status(old.token)).toBe(401);
  });
});

describe('tokens: narrowing scopes and the least-privilege hints', () => {
  const t = useTestApp();
  let alice: SignedInUser;

  beforeAll(async () => {
    alice = await signUp(t);
  });

  it('records which granted scopes a token used, per day, off the request path', async () => {
    const { token, id } = await createToken(t, alice, [
      'posts:write',
      'places:read',
      'sharing:manage',
    ]);
    // The feed needs posts:read, which this token holds through posts:write.
    await t.http().get('/api/posts').set(bearer(token)).expect(200);
    await t.http().get('/api/places').set(bearer(token)).expect(200);
    await expect
      .poll(async () =>
        (
          await t.sql<{ scope: string }>(
            'SELECT scope FROM token_scope_usage WHERE token_id = $1 ORDER BY scope',
            [id],
          )
        ).map((r) => r.scope),
      )
      .toEqual(['places:read', 'posts:write']);
    const self = await t.http().get('/api/tokens/self').set(bearer(token)).expect(200);
    expect(self.body.scopesUsedLast30Days).toEqual(['places:read', 'posts:write']);
    const list = await t.http().get('/api/tokens').set(session(alice)).expect(200);
    expect((list.body.items as Record<string, unknown>[]).find((i) => i.id === id)).toMatchObject({
      scopesUsedLast30Days: ['places:read', 'posts:write'],
    });

    // A refused call records nothing.
    await t.http().get('/api/account/notification-settings').set(bearer(token)).expect(403);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await t.sql('SELECT 1 FROM token_scope_usage WHERE token_id = $1', [id])).toHaveLength(
      2,
    );
  });

  it('narrows a token’s scopes in place, refusing a widened set with 400 and changing nothing', async () => {
    const { token, id } = await createToken(t, alice, ['posts:write', 'places:read']);
    const widened = await t
      .http()
      .patch(`/api/tokens/${id}`)
      .set(session(alice))
      .send({ scopes: ['places:read', 'billing:read'] });
    expect(widened.status).toBe(400);
    expect(widened.body).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ field: 'scopes' })],
    });
    expect(
      (await t.sql('SELECT scopes FROM personal_access_tokens WHERE id = $1', [id]))[0],
    ).toEqual({ scopes: ['places:read', 'posts:write'] });

    await t.http().get('/api/places').set(bearer(token)).expect(200); // now verified and cached
    const narrowed = await t
      .http()
      .patch(`/api/tokens/${id}`)
      .set(session(alice))
      .send({ scopes: ['places:read'] })
      .expect(200);
    expect(narrowed.body).toMatchObject({ id, scopes: ['places:read'] });
    // At once, even though the token was just verified and cached.
    const refused = await t
      .http()
      .post('/api/posts')
      .set(bearer(token))
      .send({ title: 'x', body: 'y', status: 'DRAFT' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'insufficient_scope' });
    const [audit] = await t.sql<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_events WHERE action = 'token.scopes_narrowed' AND details->>'tokenId' = $1`,
      [id],
    );
    expect(audit.details).toMatchObject({
      from: ['places:read', 'posts:write'],
      to: ['places:read'],
    });
  });
});

const onPostgres = Boolean(process.env.DATABASE_URL);

describe.skipIf(!onPostgres)('tokens: a rotation reaches every instance at once', () => {
  let a: TestApp;
  let b: TestApp;
  let alice: SignedInUser;
  const listening = (x: TestApp) => x.running.app.get(TokenRevocationListener).listening;

  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ sameDatabaseAs: a });
    alice = await signUp(a);
  });
  afterAll(async () => {
    try {
      await b?.close();
    } finally {
      await a?.close();
    }
  });

  it('refuses the old value on the other instance as soon as its grace (here none) ends', async () => {
    await expect.poll(() => listening(a) && listening(b)).toBe(true);
    const old = await createToken(a, alice, ['posts:read']);
    const me = async (x: TestApp, token: string) =>
      (await x.http().get('/api/me').set(bearer(token))).status;
    expect(await me(b, old.token)).toBe(200); // B trusts it from memory now
    const res = await a
      .http()
      .post(`/api/tokens/${old.id}/rotate`)
      .set(session(alice))
      .send({ graceSeconds: 0 })
      .expect(201);
    await expect.poll(() => me(b, old.token), { timeout: 3_000 }).toBe(401);
    expect(await me(b, (res.body as { token: string }).token)).toBe(200);
  });
});
