import { bearer, createToken, sessionCookie, signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { PAT_PREFIX } from '../src/access/pat-format.js';

const DAY = 24 * 3600 * 1000;

describe('auth: sign-up, sign-in, sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ADMIN_EMAILS: 'root@example.com' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('signs up with a normalised email, an argon2id hash and an HttpOnly SameSite=Lax cookie', async () => {
    const res = await t
      .http()
      .post('/api/auth/signup')
      .send({
        email: '  Grace@Example.COM ',
        password: 'a long enough password',
        displayName: 'Grace',
      })
      .expect(201);
    expect(res.body.user).toMatchObject({
      email: 'grace@example.com',
      displayName: 'Grace',
      isAdmin: false,
    });
    expect(res.body.csrfToken).toMatch(/^[0-9a-f]{43}$/);
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('gpx_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    const [row] = await t.sql<{ password_hash: string }>(
      `SELECT password_hash FROM users WHERE email = 'grace@example.com'`,
    );
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const [session] = await t.sql<{ secret_hash: string }>('SELECT secret_hash FROM sessions');
    expect(session.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(cookie).not.toContain(session.secret_hash);
    const events = await t.sql(`SELECT action FROM audit_events WHERE actor_user_id = $1`, [
      res.body.user.id,
    ]);
    expect(events).toEqual([{ action: 'auth.signup' }]);
  });

  it('refuses a duplicate email regardless of case with 409 conflict', async () => {
    await signUp(t, { email: 'dup@example.com' });
    const res = await t
      .http()
      .post('/api/auth/signup')
      .send({ email: 'DUP@example.com', password: 'another long password', displayName: 'Dup' })
      .expect(409);
    expect(res.body.code).toBe('conflict');
    expect(await t.sql(`SELECT id FROM users WHERE email = 'dup@example.com'`)).toHaveLength(1);
  });

  it('refuses a short password and a bad email, naming both, and creates nothing', async () => {
    const res = await t
      .http()
      .post('/api/auth/signup')
      .send({ email: 'nope', password: 'short', displayName: 'X' })
      .expect(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'email', message: 'must be an email address' },
        { field: 'password', message: 'must be at least 10 characters' },
      ]),
    );
    expect(await t.sql(`SELECT id FROM users WHERE email = 'nope'`)).toEqual([]);
  });

  it('gives the configured admin email the admin role', async () => {
    const root = await signUp(t, { email: 'root@example.com' });
    const res = await t.http().get('/api/auth/session').set('Cookie', root.cookie).expect(200);
    expect(res.body.user.isAdmin).toBe(true);
  });

  it('answers wrong credentials with the same 401 whether or not the email exists', async () => {
    const user = await signUp(t);
    const wrongPassword = await t
      .http()
      .post('/api/auth/login')
      .send({ email: user.email, password: 'wrong password!' })
      .expect(401);
    const noSuchUser = await t
      .http()
      .post('/api/auth/login')
      .send({ email: 'ghost@example.com', password: 'wrong password!' })
      .expect(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    expect(strip(wrongPassword.body)).toEqual(strip(noSuchUser.body));
    expect(wrongPassword.body.code).toBe('invalid_credentials');
    expect(wrongPassword.headers['set-cookie']).toBeUndefined();
    const failed = await t.sql(
      `SELECT details FROM audit_events WHERE action = 'auth.login_failed'`,
    );
    expect(failed).toHaveLength(2);
  });

  it('signs in, reads the session, and signs out server-side', async () => {
    const user = await signUp(t);
    const login = await t
      .http()
      .post('/api/auth/login')
      .send({ email: user.email.toUpperCase(), password: user.password })
      .expect(200);
    const cookie = sessionCookie(login.headers['set-cookie']);
    const session = await t.http().get('/api/auth/session').set('Cookie', cookie).expect(200);
    expect(session.body).toEqual({
      user: expect.objectContaining({ id: user.id }),
      csrfToken: login.body.csrfToken,
    });

    const noCsrf = await t.http().post('/api/auth/logout').set('Cookie', cookie).expect(403);
    expect(noCsrf.body.code).toBe('csrf_failed');
    await t
      .http()
      .post('/api/auth/logout')
      .set({ Cookie: cookie, 'X-CSRF-Token': login.body.csrfToken })
      .expect(204);
    const after = await t.http().get('/api/auth/session').set('Cookie', cookie).expect(401);
    expect(after.body.code).toBe('unauthenticated');
    const revoked = await t.sql<{ n: string }>(
      `SELECT count(*)::text AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NOT NULL`,
      [user.id],
    );
    expect(revoked).toEqual([{ n: '1' }]);
  });

  it('throttles sign-in per email with 429 rate_limited and Retry-After', async () => {
    const user = await signUp(t);
    let last;
    for (let i = 0; i < 11; i++) {
      last = await t
        .http()
        .post('/api/auth/login')
        .send({ email: user.email, password: 'wrong password!' });
    }
    expect(last?.status).toBe(429);
    expect(last?.body.code).toBe('rate_limited');
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right password is refused while throttled.
    await t
      .http()
      .post('/api/auth/login')
      .send({ email: user.email, password: user.password })
      .expect(429);
  });
});

describe('personal access tokens (Settings → API)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a token, returns the raw value once, and stores only its HMAC', async () => {
    const user = await signUp(t);
    const { token, id, body } = await createToken(t, user, ['posts:write', 'posts:read'], {
      name: '  ci bot  ',
    });
    expect(token.startsWith(PAT_PREFIX)).toBe(true);
    expect(body).toMatchObject({
      id,
      name: 'ci bot',
      scopes: ['posts:read', 'posts:write'],
      expiresAt: null,
      lastUsedAt: null,
    });
    expect(body.prefix).toBe(token.slice(0, 12));

    const list = await t.http().get('/api/tokens').set('Cookie', user.cookie).expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toEqual({
      id,
      name: 'ci bot',
      prefix: token.slice(0, 12),
      scopes: ['posts:read', 'posts:write'],
      createdAt: expect.any(String),
      expiresAt: null,
      lastUsedAt: null,
      lastUsedIp: null,
      rotatedAt: null,
      previousValueValidUntil: null,
      scopesUsedLast30Days: [],
      allowedIps: null,
      resources: null,
      parentId: null,
    });
    expect(JSON.stringify(list.body)).not.toContain(token);

    // Scan every text-ish column of every table: neither the token nor the password is anywhere.
    const tables = await t.sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    for (const { table_name } of tables) {
      const rows = await t.sql(`SELECT * FROM "${table_name}"`);
      const dump = JSON.stringify(rows);
      expect(dump).not.toContain(token);
      expect(dump).not.toContain(token.slice(PAT_PREFIX.length));
      expect(dump).not.toContain(user.password);
    }
    const [created] = await t.sql<{ details: { tokenId: string } }>(
      `SELECT details FROM audit_events WHERE action = 'token.created'`,
    );
    expect(created.details.tokenId).toBe(id);
  });

  it.each([
    ['an unknown scope', { name: 'x', scopes: ['posts:read', 'posts:delete'] }, 'scopes'],
    ['an empty scope list', { name: 'x', scopes: [] }, 'scopes'],
    ['a blank name', { name: '   ', scopes: ['posts:read'] }, 'name'],
    ['an over-long name', { name: 'n'.repeat(101), scopes: ['posts:read'] }, 'name'],
    [
      'an expiry in the past',
      { name: 'x', scopes: ['posts:read'], expiresAt: '2020-01-01T00:00:00Z' },
      'expiresAt',
    ],
    [
      'an expiry over a year out',
      {
        name: 'x',
        scopes: ['posts:read'],
        expiresAt: new Date(Date.now() + 400 * DAY).toISOString(),
      },
      'expiresAt',
    ],
    [
      'a non-date expiry',
      { name: 'x', scopes: ['posts:read'], expiresAt: 'tomorrow' },
      'expiresAt',
    ],
    ['an unknown field', { name: 'x', scopes: ['posts:read'], owner: 'someone' }, 'owner'],
  ])('refuses %s with 400 naming the field, creating nothing', async (_label, body, field) => {
    const user = await signUp(t);
    const res = await t
      .http()
      .post('/api/tokens')
      .set({ Cookie: user.cookie, 'X-CSRF-Token': user.csrfToken })
      .send(body)
      .expect(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(
      await t.sql('SELECT id FROM personal_access_tokens WHERE user_id = $1', [user.id]),
    ).toEqual([]);
  });

  it('says "choose at least one scope" for an empty list', async () => {
    const user = await signUp(t);
    const res = await t
      .http()
      .post('/api/tokens')
      .set({ Cookie: user.cookie, 'X-CSRF-Token': user.csrfToken })
      .send({ name: 'x', scopes: [] });
    expect(res.body.errors).toContainEqual({
      field: 'scopes',
      message: 'choose at least one scope',
    });
  });

  it('never lets a token create, list or revoke tokens', async () => {
    const user = await signUp(t);
    const { token, id } = await createToken(t, user, ['posts:read']);
    const calls = [
      t
        .http()
        .post('/api/tokens')
        .set(bearer(token))
        .send({ name: 'escalate', scopes: ['payouts:manage'] }),
      t.http().get('/api/tokens').set(bearer(token)),
      t.http().delete(`/api/tokens/${id}`).set(bearer(token)),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('session_required');
    }
    const rows = await t.sql<{ name: string; revoked_at: Date | null }>(
      'SELECT name, revoked_at FROM personal_access_tokens WHERE user_id = $1',
      [user.id],
    );
    expect(rows).toEqual([{ name: 'test token', revoked_at: null }]);
  });

  it('lets a token read its own metadata without any scope', async () => {
    const user = await signUp(t);
    const { token, id } = await createToken(t, user, ['places:read']);
    const res = await t.http().get('/api/tokens/self').set(bearer(token)).expect(200);
    expect(res.body).toMatchObject({ id, scopes: ['places:read'], prefix: token.slice(0, 12) });
    expect(res.headers['x-token-scopes']).toBe('places:read');
    const me = await t.http().get('/api/me').set(bearer(token)).expect(200);
    expect(me.body).toEqual({
      user: { id: user.id, email: user.email, displayName: expect.any(String), isAdmin: false },
      authenticatedWith: 'pat',
      scopes: ['places:read'],
    });
    const viaSession = await t.http().get('/api/me').set('Cookie', user.cookie).expect(200);
    expect(viaSession.body.authenticatedWith).toBe('session');
    expect(viaSession.body.scopes).toBeUndefined();
  });

  it('revokes at once, and refuses the revoked token as invalid_token', async () => {
    const user = await signUp(t);
    const { token, id } = await createToken(t, user, ['posts:read']);
    await t.http().get('/api/me').set(bearer(token)).expect(200); // now cached in memory
    await t
      .http()
      .delete(`/api/tokens/${id}`)
      .set({ Cookie: user.cookie, 'X-CSRF-Token': user.csrfToken })
      .expect(204);
    const res = await t.http().get('/api/me').set(bearer(token)).expect(401);
    expect(res.body.code).toBe('invalid_token');
    const list = await t.http().get('/api/tokens').set('Cookie', user.cookie).expect(200);
    expect(list.body.items).toEqual([]);
    expect(
      await t.sql(
        `SELECT action FROM audit_events WHERE action = 'token.revoked' AND actor_token_id = $1`,
        [id],
      ),
    ).toHaveLength(1);
  });

  it("answers 404 for another user's token and leaves it working", async () => {
    const owner = await signUp(t);
    const other = await signUp(t);
    const { token, id } = await createToken(t, owner, ['posts:read']);
    const res = await t
      .http()
      .delete(`/api/tokens/${id}`)
      .set({ Cookie: other.cookie, 'X-CSRF-Token': other.csrfToken })
      .expect(404);
    expect(res.body.code).toBe('not_found');
    await t
      .http()
      .delete('/api/tokens/not-a-uuid')
      .set({ Cookie: other.cookie, 'X-CSRF-Token': other.csrfToken })
      .expect(404);
    await t.http().get('/api/me').set(bearer(token)).expect(200);
  });

  it('refuses a token whose checksum is wrong without a database lookup', async () => {
    const user = await signUp(t);
    const { token } = await createToken(t, user, ['posts:read']);
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const res = await t.http().get('/api/me').set(bearer(tampered)).expect(401);
    expect(res.body.code).toBe('invalid_token');
    expect(res.body.detail).toMatch(/malformed/);
  });

  it('warns about expiry in the last 30 days with X-Token-Expires-At, and not before', async () => {
    const user = await signUp(t);
    const soon = new Date(Date.now() + 10 * DAY).toISOString();
    const later = new Date(Date.now() + 90 * DAY).toISOString();
    const a = await createToken(t, user, ['posts:read'], { expiresAt: soon });
    const b = await createToken(t, user, ['posts:read'], { expiresAt: later });
    const resA = await t.http().get('/api/me').set(bearer(a.token)).expect(200);
    expect(resA.headers['x-token-expires-at']).toBe(new Date(soon).toISOString());
    const resB = await t.http().get('/api/me').set(bearer(b.token)).expect(200);
    expect(resB.headers['x-token-expires-at']).toBeUndefined();
  });

  it('records last use (time and IP) off the request path', async () => {
    const user = await signUp(t);
    const { token, id } = await createToken(t, user, ['posts:read']);
    await t.http().get('/api/me').set(bearer(token)).expect(200);
    await vi.waitFor(
      async () => {
        const [row] = await t.sql<{ last_used_at: Date | null; last_used_ip: string | null }>(
          'SELECT last_used_at, last_used_ip FROM personal_access_tokens WHERE id = $1',
          [id],
        );
        expect(row.last_used_at).not.toBeNull();
        expect(row.last_used_ip).toMatch(/127\.0\.0\.1/);
      },
      { timeout: 10_000 },
    );
  });
});

describe('rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { RATE_LIMIT_PER_MINUTE: '3', ANONYMOUS_RATE_LIMIT_PER_MINUTE: '2' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('limits each token separately with RateLimit headers, then 429 with Retry-After', async () => {
    const user = await signUp(t);
    const a = await createToken(t, user, ['posts:read']);
    const b = await createToken(t, user, ['posts:read']);
    const first = await t.http().get('/api/me').set(bearer(a.token)).expect(200);
    expect(first.headers['ratelimit-limit']).toBe('3');
    expect(first.headers['ratelimit-remaining']).toBe('2');
    expect(first.headers['ratelimit-policy']).toBe('3;w=60');
    await t.http().get('/api/me').set(bearer(a.token)).expect(200);
    await t.http().get('/api/me').set(bearer(a.token)).expect(200);
    const limited = await t.http().get('/api/me').set(bearer(a.token)).expect(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await t.http().get('/api/me').set(bearer(b.token)).expect(200);
  });

  it('limits unauthenticated callers per IP', async () => {
    // The sign-up above already counted one anonymous request from this IP (limit 2).
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await t.http().get('/api/me')).status);
    expect(statuses).toEqual([401, 429, 429]);
  });
});
