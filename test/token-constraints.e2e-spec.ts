import type { Scope } from '../src/access/scopes.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { uploadSamplePng } from './support/artifacts.js';
import { databaseState } from './support/route-matrix.js';
import { type TestApp, useTestApp } from './support/test-app.js';
import { createPost } from './support/workspace.js';

/**
 * Per-token constraints (issue 21, item 1): an IP allowlist enforced by the guard with the
 * client address as `trust proxy` sees it, and resource pinning enforced where the services
 * check ownership. Refusals are audited and leave no other trace.
 */

const session = (u: SignedInUser) => ({ Cookie: u.cookie, 'X-CSRF-Token': u.csrfToken });

async function constrainedToken(
  t: TestApp,
  user: SignedInUser,
  scopes: Scope[],
  constraints: { allowedIps?: string[]; resources?: { posts: string[] } },
) {
  const res = await t
    .http()
    .post('/api/tokens')
    .set(session(user))
    .send({ name: 'constrained', scopes, ...constraints });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; token: string } & Record<string, unknown>;
}

const deniedRows = (t: TestApp, tokenId: string, reason: string) =>
  t.sql<{ details: Record<string, unknown>; actor_user_id: string; ip: string }>(
    `SELECT details, actor_user_id, ip FROM audit_events
      WHERE action = 'access.denied' AND actor_token_id = $1 AND details->>'reason' = $2`,
    [tokenId, reason],
  );

describe('allowedIps behind a trusted proxy (the default: a proxy on loopback)', () => {
  const t = useTestApp({ env: { BACKGROUND_WORK: 'false' } });
  let alice: SignedInUser;
  beforeAll(async () => {
    alice = await signUp(t);
  });

  it('stores the allowlist normalised and shows it in /api/tokens/self and X-Token-Constraints', async () => {
    const created = await constrainedToken(t, alice, ['posts:read'], {
      allowedIps: ['203.0.113.7/24', '2001:DB8::1', '203.0.113.0/24'],
    });
    expect(created.allowedIps).toEqual(['203.0.113.0/24', '2001:db8::1/128']);
    const rows = await t.sql<{ allowed_ips: string[] }>(
      'SELECT allowed_ips FROM personal_access_tokens WHERE id = $1',
      [created.id],
    );
    expect(rows[0].allowed_ips).toEqual(['203.0.113.0/24', '2001:db8::1/128']);
    const self = await t
      .http()
      .get('/api/tokens/self')
      .set(bearer(created.token))
      .set('X-Forwarded-For', '203.0.113.50')
      .expect(200);
    expect(self.body).toMatchObject({
      allowedIps: ['203.0.113.0/24', '2001:db8::1/128'],
      resources: null,
      parentId: null,
    });
    expect(self.headers['x-token-constraints']).toBe('ips=2');
  });

  it('admits an address inside a range given by X-Forwarded-For, IPv4 and IPv6', async () => {
    const { token } = await constrainedToken(t, alice, ['posts:read'], {
      allowedIps: ['198.51.100.0/24', '2001:db8:abcd::/48'],
    });
    for (const ip of ['198.51.100.9', '2001:db8:abcd:12::1']) {
      const res = await t.http().get('/api/posts').set(bearer(token)).set('X-Forwarded-For', ip);
      expect(res.status, `${ip}: ${res.text}`).toBe(200);
    }
  });

  it('refuses an address outside every range with 403 ip_not_allowed, audited, writing nothing else', async () => {
    const created = await constrainedToken(t, alice, ['posts:write'], {
      allowedIps: ['198.51.100.0/24', '2001:db8::/32'],
    });
    const before = await databaseState(t);
    for (const ip of ['192.0.2.1', '2001:dead::1']) {
      const res = await t
        .http()
        .post('/api/posts')
        .set(bearer(created.token))
        .set('X-Forwarded-For', ip)
        .send({ title: 'from elsewhere', body: 'b', status: 'PUBLISHED' });
      expect(res.status, res.text).toBe(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'ip_not_allowed', clientIp: ip });
    }
    expect(await t.sql(`SELECT id FROM posts WHERE title = 'from elsewhere'`)).toEqual([]);
    expect(await databaseState(t)).toEqual(before);
    await vi.waitFor(
      async () => {
        const rows = await deniedRows(t, created.id, 'ip_not_allowed');
        expect(rows.map((r) => r.details.clientIp).sort()).toEqual(['192.0.2.1', '2001:dead::1']);
        expect(rows[0]).toMatchObject({
          actor_user_id: alice.id,
          details: {
            route: 'POST /api/posts',
            allowedIps: ['198.51.100.0/24', '2001:db8::/32'],
          },
        });
      },
      { timeout: 10_000 },
    );
  });

  it('without a proxy header judges the connecting address (loopback here)', async () => {
    const local = await constrainedToken(t, alice, ['posts:read'], {
      allowedIps: ['127.0.0.0/8', '::1'],
    });
    await t.http().get('/api/posts').set(bearer(local.token)).expect(200);
    const remote = await constrainedToken(t, alice, ['posts:read'], {
      allowedIps: ['198.51.100.0/24'],
    });
    const res = await t.http().get('/api/posts').set(bearer(remote.token)).expect(403);
    expect(res.body.code).toBe('ip_not_allowed');
    expect(String(res.body.clientIp)).toMatch(/127\.0\.0\.1|::1/);
  });

  it('refuses an allowlist entry that is not an address or CIDR with 400 naming it, creating nothing', async () => {
    const before = await t.sql('SELECT count(*)::int AS n FROM personal_access_tokens');
    const res = await t
      .http()
      .post('/api/tokens')
      .set(session(alice))
      .send({ name: 'bad', scopes: ['posts:read'], allowedIps: ['10.0.0.0/33', 'example.com'] })
      .expect(400);
    expect(res.body.errors).toEqual([
      { field: 'allowedIps', message: expect.stringContaining('10.0.0.0/33, example.com') },
    ]);
    expect(await t.sql('SELECT count(*)::int AS n FROM personal_access_tokens')).toEqual(before);
  });

  it('PATCH sets and clears the allowlist (browser only); the change applies at once', async () => {
    const created = await constrainedToken(t, alice, ['posts:read'], {});
    await t.http().get('/api/posts').set(bearer(created.token)).expect(200);
    const set = await t
      .http()
      .patch(`/api/tokens/${created.id}`)
      .set(session(alice))
      .send({ allowedIps: ['198.51.100.0/24'] })
      .expect(200);
    expect(set.body).toMatchObject({ allowedIps: ['198.51.100.0/24'], scopes: ['posts:read'] });
    await t.http().get('/api/posts').set(bearer(created.token)).expect(403);
    // A token cannot lift its own restriction.
    await t
      .http()
      .patch(`/api/tokens/${created.id}`)
      .set(bearer(created.token))
      .set('X-Forwarded-For', '198.51.100.1')
      .send({ allowedIps: null })
      .expect(403);
    await t
      .http()
      .patch(`/api/tokens/${created.id}`)
      .set(session(alice))
      .send({ allowedIps: null })
      .expect(200);
    await t.http().get('/api/posts').set(bearer(created.token)).expect(200);
    const audit = await t.sql<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_events WHERE action = 'token.constraints_changed' AND details->>'tokenId' = $1 ORDER BY created_at`,
      [created.id],
    );
    expect(audit.map((a) => a.details.to)).toEqual([
      { allowedIps: ['198.51.100.0/24'], resources: null },
      { allowedIps: null, resources: null },
    ]);
  });
});

describe('allowedIps when no proxy is trusted (TRUST_PROXY=0)', () => {
  const t = useTestApp({ env: { BACKGROUND_WORK: 'false', TRUST_PROXY: '0' } });

  it('ignores a forged X-Forwarded-For: the connecting address decides', async () => {
    const alice = await signUp(t);
    const { token } = await constrainedToken(t, alice, ['posts:read'], {
      allowedIps: ['198.51.100.0/24'],
    });
    const res = await t
      .http()
      .get('/api/posts')
      .set(bearer(token))
      .set('X-Forwarded-For', '198.51.100.9')
      .expect(403);
    expect(res.body.code).toBe('ip_not_allowed');
    expect(String(res.body.clientIp)).not.toContain('198.51.100.9');
  });
});

describe('resources: a token pinned to selected posts', () => {
  const t = useTestApp({ env: { BACKGROUND_WORK: 'false' } });
  let alice: SignedInUser;
  let bob: SignedInUser;
  let pinned: { id: string; token: string };
  let full: string;
  let postA: string;
  let postB: string;
  let bobsPost: string;
  const all: Scope[] = ['posts:write', 'artifacts:write', 'workspaces:run', 'workspaces:manage'];

  beforeAll(async () => {
    alice = await signUp(t);
    bob = await signUp(t);
    postA = await createPost(t, alice, 'pinned post');
    postB = await createPost(t, alice, 'other post');
    bobsPost = await createPost(t, bob, "bob's public post");
    pinned = await constrainedToken(t, alice, all, { resources: { posts: [postA] } });
    full = (await createToken(t, alice, all)).token;
  });

  const as = (token: string) => bearer(token);

  it('shows the pin in /api/tokens/self and X-Token-Constraints', async () => {
    const res = await t.http().get('/api/tokens/self').set(as(pinned.token)).expect(200);
    expect(res.body.resources).toEqual({ posts: [postA] });
    expect(res.headers['x-token-constraints']).toBe('posts=1');
  });

  it('reads and edits the pinned post; every other post answers 404 as if absent', async () => {
    await t.http().get(`/api/posts/${postA}`).set(as(pinned.token)).expect(200);
    for (const other of [postB, bobsPost]) {
      const res = await t.http().get(`/api/posts/${other}`).set(as(pinned.token)).expect(404);
      expect(res.body).toMatchObject({ code: 'not_found', detail: 'No such post.' });
      // The same post is there for an unpinned token.
      await t.http().get(`/api/posts/${other}`).set(as(full)).expect(200);
    }
    await t
      .http()
      .patch(`/api/posts/${postA}`)
      .set(as(pinned.token))
      .send({ title: 'pinned, edited' })
      .expect(200);
    const before = await databaseState(t);
    await t
      .http()
      .patch(`/api/posts/${postB}`)
      .set(as(pinned.token))
      .send({ title: 'must not change' })
      .expect(404);
    await t.http().delete(`/api/posts/${postB}`).set(as(pinned.token)).expect(404);
    expect(await databaseState(t)).toEqual(before);
    expect(
      (await t.sql<{ title: string }>('SELECT title FROM posts WHERE id = $1', [postB]))[0].title,
    ).toBe('other post');
    // Answered as absent, but audited as a refusal of the pin.
    await vi.waitFor(
      async () => {
        const rows = await deniedRows(t, pinned.id, 'resource_not_pinned');
        const routes = rows.map((r) => `${String(r.details.route)} ${String(r.details.answered)}`);
        expect(routes).toEqual(
          expect.arrayContaining([
            'GET /api/posts/:postId not_found',
            'PATCH /api/posts/:postId not_found',
            'DELETE /api/posts/:postId not_found',
          ]),
        );
        expect(rows.find((r) => r.details.route === 'PATCH /api/posts/:postId')).toMatchObject({
          actor_user_id: alice.id,
          details: { refused: [postB] },
        });
      },
      { timeout: 10_000 },
    );
  });

  it('lists only the pinned post in the feed', async () => {
    const res = await t.http().get('/api/posts').set(as(pinned.token)).expect(200);
    expect((res.body.items as { id: string }[]).map((p) => p.id)).toEqual([postA]);
  });

  it('refuses a new top-level post with 403 resource_not_allowed and writes nothing', async () => {
    const before = await databaseState(t);
    const res = await t
      .http()
      .post('/api/posts')
      .set(as(pinned.token))
      .send({ title: 'new', body: 'b', status: 'PUBLISHED' })
      .expect(403);
    expect(res.body.code).toBe('resource_not_allowed');
    expect(await databaseState(t)).toEqual(before);
    await vi.waitFor(
      async () => {
        const rows = await deniedRows(t, pinned.id, 'resource_not_pinned');
        expect(rows.map((r) => r.details)).toContainEqual(
          expect.objectContaining({ route: 'POST /api/posts', answered: 'resource_not_allowed' }),
        );
      },
      { timeout: 10_000 },
    );
  });

  it('uploads artifacts to the pinned post only', async () => {
    await uploadSamplePng(t, pinned.token, postA, { commit: true });
    await t.http().get(`/api/posts/${postA}/artifact`).set(as(pinned.token)).expect(200);
    await uploadSamplePng(t, full, postB, { commit: true });
    await t.http().get(`/api/posts/${postB}/artifact`).set(as(pinned.token)).expect(404);
    await t.http().get(`/api/posts/${postB}/artifact/content`).set(as(pinned.token)).expect(404);
    const before = await databaseState(t);
    await t
      .http()
      .post(`/api/posts/${postB}/artifact-uploads`)
      .set(as(pinned.token))
      .send({ filename: 'x.png', contentType: 'image/png', size: 10 })
      .expect(404);
    expect(await databaseState(t)).toEqual(before);
  });

  it('queues, reads and lists workspace runs of the pinned post only', async () => {
    const queue = (token: string, postId: string, key: string) =>
      t
        .http()
        .post('/api/workspace/automations/runs')
        .set(as(token))
        .send({ postId, prompt: 'p', idempotencyKey: key });
    const mine = await queue(pinned.token, postA, 'pinned-1').expect(202);
    const before = await databaseState(t);
    await queue(pinned.token, postB, 'pinned-2').expect(404);
    expect(await databaseState(t)).toEqual(before);
    const other = await queue(full, postB, 'full-1').expect(202);
    await t
      .http()
      .get(`/api/workspace/automations/runs/${mine.body.id}`)
      .set(as(pinned.token))
      .expect(200);
    const hidden = await t
      .http()
      .get(`/api/workspace/automations/runs/${other.body.id}`)
      .set(as(pinned.token))
      .expect(404);
    expect(hidden.body.detail).toBe('No such run.');
    await t
      .http()
      .post(`/api/workspace/automations/runs/${other.body.id}/cancel`)
      .set(as(pinned.token))
      .expect(404);
    const list = await t.http().get('/api/workspace/automations/runs').set(as(pinned.token));
    expect(list.status).toBe(200);
    expect((list.body.items as { postId: string }[]).map((r) => r.postId)).toEqual([postA]);
    const fullList = await t.http().get('/api/workspace/automations/runs').set(as(full));
    expect(fullList.body.items).toHaveLength(2);
  });

  it('starts and closes workspace sessions, and sets bindings, on the pinned post only', async () => {
    const start = (token: string, postId: string) =>
      t.http().post('/api/workspace/sessions').set(as(token)).send({ postId, mode: 'EDIT' });
    await start(pinned.token, postA).expect(201);
    const before = await databaseState(t);
    await start(pinned.token, postB).expect(404);
    await t
      .http()
      .put(`/api/workspace/${postB}/bindings/API_KEY`)
      .set(as(pinned.token))
      .send({ value: 'secret' })
      .expect(404);
    expect(await databaseState(t)).toEqual(before);
    const foreign = await start(full, postB).expect(201);
    await t
      .http()
      .post(`/api/workspace/sessions/${foreign.body.id}/close`)
      .set(as(pinned.token))
      .expect(404);
    const listed = await t.http().get('/api/workspace/sessions').set(as(pinned.token)).expect(200);
    expect((listed.body.items as { postId: string }[]).map((s) => s.postId)).toEqual([postA]);
    await t
      .http()
      .put(`/api/workspace/${postA}/bindings/API_KEY`)
      .set(as(pinned.token))
      .send({ value: 'secret' })
      .expect(200);
  });

  it('the catalog marks the endpoints that honour pinning', async () => {
    const res = await t.http().get('/api/programmatic/catalog').expect(200);
    const endpoints = res.body.endpoints as { id: string; honoursResourcePinning: boolean }[];
    const honours = (id: string) => endpoints.find((e) => e.id === id)?.honoursResourcePinning;
    for (const id of ['posts.get', 'posts.feed', 'artifacts.get', 'workspace.runs.get'])
      expect(honours(id), id).toBe(true);
    for (const id of ['tokens.self', 'places.get', 'artifacts.upload_bytes'])
      expect(honours(id), id).toBe(false);
    const openapi = await t.http().get('/api/openapi.json').expect(200);
    const op = (
      openapi.body.paths['/api/posts/{postId}'] as Record<string, Record<string, unknown>>
    ).get;
    expect(op['x-gpx-resource-pinning']).toBe(true);
  });
});
