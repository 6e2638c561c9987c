import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { PROBE_WEBHOOK_SECRET, ProbeModule } from './support/probe.module.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { generatePat } from '../src/access/pat-format.js';

const INTERNAL = 'internal-service-credential-0123456789abcdef';
const ADMIN_EMAIL = 'boss@example.com';

type Headers = Record<string, string>;
type Expect = number | [number, string];

describe('access: the route-kind × caller matrix', () => {
  let t: TestApp;
  let alice: SignedInUser;
  let admin: SignedInUser;
  const callers: Record<string, Headers> = {};

  beforeAll(async () => {
    t = await createTestApp({
      extraImports: [ProbeModule],
      env: { ADMIN_EMAILS: ADMIN_EMAIL, INTERNAL_API_TOKEN: INTERNAL },
    });
    alice = await signUp(t);
    admin = await signUp(t, { email: ADMIN_EMAIL });
    const noScope = await createToken(t, alice, ['places:read']);
    const withScope = await createToken(t, alice, ['posts:read']);
    const implying = await createToken(t, alice, ['posts:write']);
    const expired = await createToken(t, alice, ['posts:read']);
    await t.sql(
      `UPDATE personal_access_tokens SET expires_at = now() - interval '1 minute' WHERE id = $1`,
      [expired.id],
    );
    const revoked = await createToken(t, alice, ['posts:read']);
    await t
      .http()
      .delete(`/api/tokens/${revoked.id}`)
      .set({ Cookie: alice.cookie, 'X-CSRF-Token': alice.csrfToken })
      .expect(204);

    Object.assign(callers, {
      none: {},
      malformed: bearer('not-a-token'),
      unknown: bearer(generatePat()),
      expired: bearer(expired.token),
      revoked: bearer(revoked.token),
      patWithoutScope: bearer(noScope.token),
      patWithScope: bearer(withScope.token),
      patImplyingScope: bearer(implying.token),
      session: { Cookie: alice.cookie },
      adminSession: { Cookie: admin.cookie },
      internal: { 'X-Internal-Token': INTERNAL },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const routes = {
    public: '/api/test-probe/public',
    user: '/api/posts',
    browserOnly: '/api/test-probe/browser',
    internal: '/api/test-probe/internal',
    adminOnly: '/api/test-probe/admin',
  } as const;

  // Each cell: status, or [status, code]. Reads are GETs: CSRF does not apply.
  const matrix: Record<string, Record<keyof typeof routes, Expect>> = {
    none: {
      public: 200,
      user: [401, 'unauthenticated'],
      browserOnly: [401, 'unauthenticated'],
      internal: [401, 'unauthenticated'],
      adminOnly: [401, 'unauthenticated'],
    },
    malformed: {
      public: 200,
      user: [401, 'invalid_token'],
      browserOnly: [401, 'invalid_token'],
      internal: [403, 'forbidden'],
      adminOnly: [401, 'invalid_token'],
    },
    unknown: {
      public: 200,
      user: [401, 'invalid_token'],
      browserOnly: [401, 'invalid_token'],
      internal: [403, 'forbidden'],
      adminOnly: [401, 'invalid_token'],
    },
    expired: {
      public: 200,
      user: [401, 'invalid_token'],
      browserOnly: [401, 'invalid_token'],
      internal: [403, 'forbidden'],
      adminOnly: [401, 'invalid_token'],
    },
    revoked: {
      public: 200,
      user: [401, 'invalid_token'],
      browserOnly: [401, 'invalid_token'],
      internal: [403, 'forbidden'],
      adminOnly: [401, 'invalid_token'],
    },
    patWithoutScope: {
      public: 200,
      user: [403, 'insufficient_scope'],
      browserOnly: [403, 'session_required'],
      internal: [403, 'forbidden'],
      adminOnly: [403, 'session_required'],
    },
    patWithScope: {
      public: 200,
      user: 200,
      browserOnly: [403, 'session_required'],
      internal: [403, 'forbidden'],
      adminOnly: [403, 'session_required'],
    },
    patImplyingScope: {
      public: 200,
      user: 200,
      browserOnly: [403, 'session_required'],
      internal: [403, 'forbidden'],
      adminOnly: [403, 'session_required'],
    },
    session: {
      public: 200,
      user: 200,
      browserOnly: 200,
      internal: [403, 'forbidden'],
      adminOnly: [403, 'admin_required'],
    },
    adminSession: {
      public: 200,
      user: 200,
      browserOnly: 200,
      internal: [403, 'forbidden'],
      adminOnly: 200,
    },
    internal: {
      public: 200,
      user: [403, 'forbidden'],
      browserOnly: [403, 'forbidden'],
      internal: 200,
      adminOnly: [403, 'forbidden'],
    },
  };

  const cells = Object.entries(matrix).flatMap(([caller, row]) =>
    Object.entries(row).map(([route, expected]) => [caller, route, expected] as const),
  );

  it.each(cells)('%s → %s answers %j', async (caller, route, expected) => {
    const res = await t
      .http()
      .get(routes[route as keyof typeof routes])
      .set(callers[caller]);
    const [status, code] = Array.isArray(expected) ? expected : [expected, undefined];
    expect(res.status).toBe(status);
    if (code) {
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe(code);
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
    } else {
      if (route === 'user') expect(Array.isArray(res.body.items)).toBe(true);
      else expect(res.body.kind).toBeDefined();
    }
  });

  it('tells public routes who is calling when credentials are valid', async () => {
    expect((await t.http().get(routes.public).set(callers.patWithScope)).body).toEqual({
      kind: 'pat',
      userId: alice.id,
    });
    expect((await t.http().get(routes.public).set(callers.session)).body).toEqual({
      kind: 'session',
      userId: alice.id,
    });
    expect((await t.http().get(routes.public)).body).toEqual({ kind: 'anonymous' });
  });

  it('sends WWW-Authenticate with the right error on 401s', async () => {
    const none = await t.http().get(routes.user);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="GetPaidX"');
    const bad = await t.http().get(routes.user).set(callers.unknown);
    expect(bad.headers['www-authenticate']).toBe('Bearer realm="GetPaidX", error="invalid_token"');
  });

  it('lets the bearer token decide when a session cookie is sent too', async () => {
    const res = await t
      .http()
      .get(routes.browserOnly)
      .set({ ...callers.patWithScope, Cookie: alice.cookie });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('session_required');
    const user = await t
      .http()
      .get(routes.user)
      .set({ ...callers.unknown, Cookie: alice.cookie });
    expect(user.body.code).toBe('invalid_token');
  });

  describe('CSRF on cookie-authenticated writes', () => {
    it('refuses a session POST without X-CSRF-Token, and with a wrong one', async () => {
      for (const headers of [
        { Cookie: alice.cookie },
        { Cookie: alice.cookie, 'X-CSRF-Token': admin.csrfToken },
      ]) {
        const res = await t
          .http()
          .post('/api/posts')
          .set(headers)
          .send({ title: 'csrf', body: 'b', status: 'PUBLISHED' });
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('csrf_failed');
      }
      const browser = await t.http().post('/api/test-probe/browser').set({ Cookie: alice.cookie });
      expect(browser.body.code).toBe('csrf_failed');
      expect(await t.sql(`SELECT id FROM posts WHERE title = 'csrf'`)).toEqual([]);
    });

    it('accepts a session POST with the CSRF token', async () => {
      const res = await t
        .http()
        .post('/api/posts')
        .set({ Cookie: alice.cookie, 'X-CSRF-Token': alice.csrfToken })
        .send({ title: 'with-csrf', body: 'b', status: 'PUBLISHED' })
        .expect(201);
      expect(res.body.authorId).toBe(alice.id);
      expect(await t.sql(`SELECT author_id FROM posts WHERE title = 'with-csrf'`)).toEqual([
        { author_id: alice.id },
      ]);
      await t
        .http()
        .post('/api/test-probe/browser')
        .set({ Cookie: alice.cookie, 'X-CSRF-Token': alice.csrfToken })
        .expect(200);
    });

    it('needs no CSRF token for PAT writes', async () => {
      await t
        .http()
        .post('/api/posts')
        .set(callers.patImplyingScope)
        .send({ title: 'pat-write', body: 'b', status: 'PUBLISHED' })
        .expect(201);
      expect(await t.sql(`SELECT id FROM posts WHERE title = 'pat-write'`)).toHaveLength(1);
    });
  });

  describe('a refused write leaves nothing behind', () => {
    it('refuses a posts:read PAT on a posts:write route before doing anything, and audits it', async () => {
      const before = await t.sql<{ n: string }>('SELECT count(*)::text AS n FROM posts');
      const res = await t
        .http()
        .post('/api/posts')
        .set(callers.patWithScope)
        .send({ title: 'refused', body: 'b', status: 'PUBLISHED' });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        code: 'insufficient_scope',
        requiredScopes: ['posts:write'],
        grantedScopes: ['posts:read'],
      });
      expect(res.headers['www-authenticate']).toBe(
        'Bearer realm="GetPaidX", error="insufficient_scope", scope="posts:write"',
      );
      expect(res.headers['x-accepted-scopes']).toBe('posts:write');
      expect(res.headers['x-token-scopes']).toBe('posts:read');
      expect(await t.sql('SELECT count(*)::text AS n FROM posts')).toEqual(before);
      expect(await t.sql(`SELECT id FROM posts WHERE title = 'refused'`)).toEqual([]);

      await vi.waitFor(
        async () => {
          const rows = await t.sql<{ details: Record<string, unknown>; actor_user_id: string }>(
            `SELECT details, actor_user_id FROM audit_events WHERE action = 'access.denied' AND details->>'route' = 'POST /api/posts' AND details->>'reason' = 'insufficient_scope'`,
          );
          expect(rows).toHaveLength(1);
          expect(rows[0].actor_user_id).toBe(alice.id);
          expect(rows[0].details).toMatchObject({
            route: 'POST /api/posts',
            missingScopes: ['posts:write'],
            tokenPrefix: expect.stringMatching(/^gpx_pat_[0-9A-Za-z]{4}$/),
          });
        },
        { timeout: 10_000 },
      );
    });

    it('refuses bad input from an authorised caller with 400 and writes nothing', async () => {
      const res = await t
        .http()
        .post('/api/posts')
        .set(callers.patImplyingScope)
        .send({ title: 'x', body: 'b', status: 'LIVE', extra: 1 });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'extra',
        'status',
      ]);
      expect(await t.sql(`SELECT id FROM posts WHERE title = 'x'`)).toEqual([]);
    });
  });

  describe('internal and webhook-ingress routes', () => {
    it('refuses a wrong service credential', async () => {
      const res = await t
        .http()
        .get(routes.internal)
        .set('X-Internal-Token', INTERNAL.replace('0', '1'))
        .expect(401);
      expect(res.body.code).toBe('unauthenticated');
    });

    it('admits a webhook only when its signature verifies', async () => {
      const bad = await t.http().post('/api/test-probe/webhook').send({ event: 'x' }).expect(401);
      expect(bad.body.code).toBe('invalid_signature');
      await t
        .http()
        .post('/api/test-probe/webhook')
        .set('X-Probe-Signature', PROBE_WEBHOOK_SECRET)
        .send({ event: 'x' })
        .expect(202);
    });
  });
});

describe('access: closed internal routes and deny-by-default boot', () => {
  it('closes internal routes when INTERNAL_API_TOKEN is unset', async () => {
    const t = await createTestApp({ extraImports: [ProbeModule] });
    try {
      const res = await t
        .http()
        .get('/api/test-probe/internal')
        .set('X-Internal-Token', INTERNAL)
        .expect(403);
      expect(res.body.code).toBe('forbidden');
    } finally {
      await t.close();
    }
  });

  it('refuses to start when a route declares no access kind, naming it', async () => {
    const { UndeclaredRouteModule } = await import('./support/probe.module.js');
    await expect(createTestApp({ extraImports: [UndeclaredRouteModule] })).rejects.toThrow(
      /UndeclaredController\.oops declares no access kind/,
    );
  });
});
