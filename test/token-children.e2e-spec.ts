import { TokenRevocationListener } from '../src/modules/account/tokens/token-revocation.listener.js';
import type { Scope } from '../src/access/scopes.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { createTestApp, type TestApp, useTestApp } from './support/test-app.js';
import { createPost } from './support/workspace.js';

/**
 * Child tokens for agents (issue 21, item 6): a PAT mints a short-lived token strictly narrower
 * than itself; a child cannot mint; revoking, rotating or editing the parent ends its children.
 */

const session = (u: SignedInUser) => ({ Cookie: u.cookie, 'X-CSRF-Token': u.csrfToken });
/** Every request in this file comes "from" an address inside the parents' allowlist. */
const FROM = { 'X-Forwarded-For': '198.51.100.7' };
const as = (token: string) => ({ ...bearer(token), ...FROM });

interface TokenBody {
  id: string;
  token: string;
  scopes: string[];
  expiresAt: string | null;
  allowedIps: string[] | null;
  resources: { posts: string[] } | null;
  parentId: string | null;
}

async function parentToken(
  t: TestApp,
  user: SignedInUser,
  body: {
    scopes: Scope[];
    allowedIps?: string[];
    resources?: { posts: string[] };
    expiresAt?: string;
  },
): Promise<TokenBody> {
  const res = await t
    .http()
    .post('/api/tokens')
    .set(session(user))
    .send({ name: 'agent', ...body });
  expect(res.status, res.text).toBe(201);
  return res.body as TokenBody;
}

const mint = (t: TestApp, parent: string, body: Record<string, unknown>) =>
  t
    .http()
    .post('/api/tokens/self/children')
    .set(as(parent))
    .send({ name: 'sub-task', ttlSeconds: 3600, ...body });

const tokenCount = async (t: TestApp) =>
  (await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM personal_access_tokens'))[0].n;

describe('child tokens', () => {
  const t = useTestApp({ env: { BACKGROUND_WORK: 'false' } });
  let alice: SignedInUser;
  let postA: string;
  let postB: string;
  let parent: TokenBody;

  beforeAll(async () => {
    alice = await signUp(t);
    postA = await createPost(t, alice, 'A');
    postB = await createPost(t, alice, 'B');
    parent = await parentToken(t, alice, {
      scopes: ['posts:write', 'workspaces:run'],
      allowedIps: ['198.51.100.0/24', '2001:db8::/32'],
      resources: { posts: [postA] },
      expiresAt: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString(),
    });
  });

  it('mints a narrower child that inherits what it does not state, and lists it under its parent', async () => {
    const before = Date.now();
    const res = await mint(t, parent.token, { scopes: ['posts:read'] }).expect(201);
    const child = res.body as TokenBody;
    expect(child).toMatchObject({
      name: 'sub-task',
      scopes: ['posts:read'],
      parentId: parent.id,
      allowedIps: ['198.51.100.0/24', '2001:db8::/32'],
      resources: { posts: [postA] },
    });
    expect(child.token).toMatch(/^gpx_pat_/);
    const ttl = new Date(child.expiresAt!).getTime() - before;
    expect(ttl).toBeGreaterThan(3590_000);
    expect(ttl).toBeLessThan(3700_000);

    // The child works within its grant, and only there.
    await t.http().get(`/api/posts/${postA}`).set(as(child.token)).expect(200);
    await t.http().get(`/api/posts/${postB}`).set(as(child.token)).expect(404);
    const write = await t
      .http()
      .patch(`/api/posts/${postA}`)
      .set(as(child.token))
      .send({ title: 'x' })
      .expect(403);
    expect(write.body.code).toBe('insufficient_scope');
    const self = await t.http().get('/api/tokens/self').set(as(child.token)).expect(200);
    expect(self.body.parentId).toBe(parent.id);

    const listed = await t
      .http()
      .get('/api/tokens/self/children')
      .set(as(parent.token))
      .expect(200);
    expect((listed.body.items as TokenBody[]).map((c) => c.id)).toContain(child.id);
    const settings = await t.http().get('/api/tokens').set(session(alice)).expect(200);
    expect(settings.body.items).toContainEqual(
      expect.objectContaining({ id: child.id, parentId: parent.id }),
    );
    const audit = await t.sql<{ actor_token_id: string; details: Record<string, unknown> }>(
      `SELECT actor_token_id, details FROM audit_events WHERE action = 'token.created' AND details->>'tokenId' = $1`,
      [child.id],
    );
    expect(audit).toEqual([
      expect.objectContaining({
        actor_token_id: parent.id,
        details: expect.objectContaining({ parentId: parent.id }),
      }),
    ]);
  });

  it('narrows IP ranges and pinned posts when asked to', async () => {
    const res = await mint(t, parent.token, {
      scopes: ['posts:read'],
      allowedIps: ['198.51.100.0/25', '2001:db8:1::/48'],
    }).expect(201);
    expect(res.body.allowedIps).toEqual(['198.51.100.0/25', '2001:db8:1::/48']);
  });

  it.each([
    ['a scope the parent lacks', { scopes: ['billing:read'] }, 'scopes', 'billing:read'],
    ['an IP range outside the parent', { allowedIps: ['10.0.0.0/8'] }, 'allowedIps', '10.0.0.0/8'],
    [
      'an IP range wider than the parent’s',
      { allowedIps: ['198.51.0.0/16'] },
      'allowedIps',
      '198.51.0.0/16',
    ],
    ['any address (null) under an allowlist', { allowedIps: null }, 'allowedIps', 'any address'],
    ['a post outside the pin', { resources: { posts: ['B'] } }, 'resources.posts', 'B'],
    ['all posts (null) under a pin', { resources: null }, 'resources.posts', 'all posts'],
    ['a life beyond the parent’s expiry', { ttlSeconds: 86_400 }, null, null],
  ] as const)(
    'refuses %s with a 400 naming it, minting nothing',
    async (_what, wider, field, value) => {
      const body: Record<string, unknown> = { scopes: ['posts:read'], ...wider };
      if (field === 'resources.posts') body.resources = wider.resources && { posts: [postB] };
      // The expiry case needs a parent that expires sooner than the requested life.
      const minter =
        field === null
          ? await parentToken(t, alice, {
              scopes: ['posts:read'],
              expiresAt: new Date(Date.now() + 3600_000).toISOString(),
            })
          : parent;
      const before = await tokenCount(t);
      const res = await mint(t, minter.token, body).expect(400);
      expect(res.body.code).toBe('validation_failed');
      const errors = res.body.errors as { field: string; message: string }[];
      if (field === null) {
        expect(errors).toEqual([
          {
            field: 'ttlSeconds',
            message: expect.stringContaining('would outlive the parent token'),
          },
        ]);
      } else {
        expect(errors.map((e) => e.field)).toEqual([field]);
        expect(errors[0].message).toContain(value === 'B' ? postB : value);
      }
      expect(await tokenCount(t)).toBe(before);
    },
  );

  it('names every dimension that exceeds at once', async () => {
    const res = await mint(t, parent.token, {
      scopes: ['posts:write', 'billing:read'],
      allowedIps: ['192.0.2.0/24'],
      resources: { posts: [postA, postB] },
    }).expect(400);
    expect((res.body.errors as { field: string }[]).map((e) => e.field)).toEqual([
      'scopes',
      'allowedIps',
      'resources.posts',
    ]);
  });

  it('refuses resources that are not an object (an array) with a 400 naming resources', async () => {
    // Found by the fuzz suite: ValidateNested alone let [] through, and the service answered 500.
    const res = await mint(t, parent.token, { scopes: ['posts:read'], resources: [] });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['resources']);
  });

  it('refuses a ttl over 24 hours, and a browser session, before anything else', async () => {
    const long = await mint(t, parent.token, { scopes: ['posts:read'], ttlSeconds: 86_401 });
    expect(long.status).toBe(400);
    expect(long.body.errors.map((e: { field: string }) => e.field)).toEqual(['ttlSeconds']);
    const bySession = await t
      .http()
      .post('/api/tokens/self/children')
      .set(session(alice))
      .send({ name: 'x', scopes: ['posts:read'], ttlSeconds: 60 })
      .expect(403);
    expect(bySession.body.code).toBe('forbidden');
  });

  it('a child cannot mint children (403 child_token_cannot_mint), and nothing is written', async () => {
    const child = (await mint(t, parent.token, { scopes: ['posts:read'] }).expect(201))
      .body as TokenBody;
    const before = await tokenCount(t);
    const res = await mint(t, child.token, { scopes: ['posts:read'], ttlSeconds: 60 }).expect(403);
    expect(res.body.code).toBe('child_token_cannot_mint');
    expect(await tokenCount(t)).toBe(before);
  });

  it('revoking the parent revokes its children at once', async () => {
    const p = await parentToken(t, alice, { scopes: ['posts:read'] });
    const c1 = (await mint(t, p.token, { scopes: ['posts:read'] }).expect(201)).body as TokenBody;
    const c2 = (await mint(t, p.token, { scopes: ['posts:read'] }).expect(201)).body as TokenBody;
    await t.http().get('/api/tokens/self').set(as(c1.token)).expect(200); // cached as valid
    await t.http().delete(`/api/tokens/${p.id}`).set(session(alice)).expect(204);
    for (const c of [c1, c2]) {
      const res = await t.http().get('/api/tokens/self').set(as(c.token)).expect(401);
      expect(res.body.code).toBe('invalid_token');
    }
    const rows = await t.sql<{ id: string; revoked_at: Date | null }>(
      'SELECT id, revoked_at FROM personal_access_tokens WHERE parent_id = $1',
      [p.id],
    );
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.revoked_at !== null)).toBe(true);
    const audit = await t.sql<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_events WHERE action = 'token.revoked' AND details->>'parentId' = $1`,
      [p.id],
    );
    expect(audit.map((a) => a.details.by)).toEqual(['parent_revoked', 'parent_revoked']);
  });

  it('rotating the parent revokes its children at once (the old value keeps its grace)', async () => {
    const p = await parentToken(t, alice, { scopes: ['posts:read'] });
    const c = (await mint(t, p.token, { scopes: ['posts:read'] }).expect(201)).body as TokenBody;
    await t.http().get('/api/tokens/self').set(as(c.token)).expect(200);
    const rotated = await t
      .http()
      .post('/api/tokens/self/rotate')
      .set(as(p.token))
      .send({ graceSeconds: 600 })
      .expect(201);
    await t.http().get('/api/tokens/self').set(as(c.token)).expect(401);
    await t.http().get('/api/tokens/self').set(as(p.token)).expect(200); // in its grace
    // The rotated-out value may not mint; the new one may.
    const stale = await mint(t, p.token, { scopes: ['posts:read'] }).expect(409);
    expect(stale.body.code).toBe('conflict');
    await mint(t, rotated.body.token as string, { scopes: ['posts:read'] }).expect(201);
  });

  it('editing the parent in Settings → API revokes its children', async () => {
    const p = await parentToken(t, alice, { scopes: ['posts:read', 'places:read'] });
    const c = (await mint(t, p.token, { scopes: ['posts:read'] }).expect(201)).body as TokenBody;
    await t
      .http()
      .patch(`/api/tokens/${p.id}`)
      .set(session(alice))
      .send({ scopes: ['posts:read'] })
      .expect(200);
    await t.http().get('/api/tokens/self').set(as(c.token)).expect(401);
    await t.http().get('/api/tokens/self').set(as(p.token)).expect(200);
  });
});

const onPostgres = Boolean(process.env.DATABASE_URL);

describe.skipIf(!onPostgres)('child tokens across instances', () => {
  let a: TestApp;
  let b: TestApp;
  let alice: SignedInUser;
  const listening = (t: TestApp) => t.running.app.get(TokenRevocationListener).listening;

  beforeAll(async () => {
    a = await createTestApp({ env: { BACKGROUND_WORK: 'false' } });
    b = await createTestApp({ sameDatabaseAs: a, env: { BACKGROUND_WORK: 'false' } });
    alice = await signUp(a);
  });
  afterAll(async () => {
    try {
      await b?.close();
    } finally {
      await a?.close();
    }
  });

  it('revoking the parent on one instance ends the child on the other at once', async () => {
    await expect.poll(() => listening(a) && listening(b)).toBe(true);
    const p = await createToken(a, alice, ['posts:read']);
    const c = (await mint(a, p.token, { scopes: ['posts:read'] }).expect(201)).body as TokenBody;
    await b.http().get('/api/tokens/self').set(as(c.token)).expect(200); // B trusts it from memory
    const revokedAt = Date.now();
    await a.http().delete(`/api/tokens/${p.id}`).set(session(alice)).expect(204);
    await expect
      .poll(async () => (await b.http().get('/api/tokens/self').set(as(c.token))).status, {
        timeout: 3_000,
      })
      .toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
  });
});
