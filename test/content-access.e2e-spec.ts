import { ALL_SCOPES, effectiveScopes, type Scope } from '../src/access/scopes.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Every Content route the catalog lists for users, called three ways by the same author: with a
 * browser session, with a PAT holding exactly the scopes the catalog names, and with a PAT holding
 * every other Content scope but not those. The first two succeed and change what they should;
 * the third is refused with insufficient_scope and changes nothing in the Content tables.
 */

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 7),
]);
const CONTENT_SCOPES: Scope[] = ['posts:read', 'posts:write', 'places:read', 'artifacts:write'];

interface CatalogEndpoint {
  id: string;
  module: string;
  method: string;
  path: string;
  authKind: string;
  pat: { supported: boolean; scopes?: Scope[] };
}

/** One prepared call: fresh fixtures per caller, so each call can succeed on its own. */
interface Case {
  path: string;
  body?: Record<string, unknown>;
  status: number;
  /** What a successful call must have changed or returned. */
  check?: (body: Record<string, unknown>) => Promise<void> | void;
}

describe('content: every route with a session, a PAT with its scopes, and a PAT without', () => {
  let t: TestApp;
  let alice: SignedInUser;
  let aliceAll: string;
  let bobWrite: string;
  let endpoints: CatalogEndpoint[];

  beforeAll(async () => {
    t = await createTestApp();
    alice = await signUp(t);
    aliceAll = (await createToken(t, alice, CONTENT_SCOPES)).token;
    bobWrite = (await createToken(t, await signUp(t), ['posts:write'])).token;
    const catalog = await t.http().get('/api/programmatic/catalog').expect(200);
    endpoints = (catalog.body.endpoints as CatalogEndpoint[]).filter(
      (e) => e.module === 'content' && e.authKind === 'user',
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const newPost = async (extra: Record<string, unknown> = {}) =>
    (
      await t
        .http()
        .post('/api/posts')
        .set(bearer(aliceAll))
        .send({ title: 'fixture', body: 'b', status: 'PUBLISHED', ...extra })
        .expect(201)
    ).body as { id: string };
  const reply = async (parentId: string) =>
    (
      await t
        .http()
        .post('/api/posts')
        .set(bearer(bobWrite))
        .send({ title: 'a reply', body: 'r', status: 'PUBLISHED', parentPostId: parentId })
        .expect(201)
    ).body as { id: string };
  const uploaded = async (postId: string) => {
    const slot = await t
      .http()
      .post(`/api/posts/${postId}/artifact-uploads`)
      .set(bearer(aliceAll))
      .send({ filename: 'cover.png', contentType: 'image/png', size: PNG.length })
      .expect(201);
    await t
      .http()
      .put(new URL(slot.body.uploadUrl as string).pathname)
      .set('Content-Type', 'image/png')
      .send(PNG)
      .expect(200);
    return slot.body.uploadId as string;
  };
  const withArtifact = async () => {
    const post = await newPost();
    const uploadId = await uploaded(post.id);
    await t
      .http()
      .post(`/api/posts/${post.id}/artifact-uploads/${uploadId}/commit`)
      .set(bearer(aliceAll))
      .expect(200);
    return post;
  };
  const postRow = async (id: string) => (await t.sql('SELECT * FROM posts WHERE id = $1', [id]))[0];

  const cases: Record<string, () => Promise<Case>> = {
    'posts.create': async () => ({
      path: '/api/posts',
      body: { title: 'matrix post', body: 'b', status: 'PUBLISHED' },
      status: 201,
      check: async (body) =>
        expect(await postRow(body.id as string)).toMatchObject({
          title: 'matrix post',
          author_id: alice.id,
        }),
    }),
    'posts.feed': async () => {
      const post = await newPost({ title: 'in the feed' });
      return {
        path: `/api/posts?author=${alice.id}&limit=1`,
        status: 200,
        check: (body) => expect((body.items as { id: string }[])[0].id).toBe(post.id),
      };
    },
    'posts.get': async () => {
      const post = await newPost({ status: 'DRAFT' });
      return {
        path: `/api/posts/${post.id}`,
        status: 200,
        check: (body) => expect(body).toMatchObject({ id: post.id, status: 'DRAFT' }),
      };
    },
    'posts.update': async () => {
      const post = await newPost();
      return {
        path: `/api/posts/${post.id}`,
        body: { title: 'edited' },
        status: 200,
        check: async () => expect((await postRow(post.id)).title).toBe('edited'),
      };
    },
    'posts.delete': async () => {
      const post = await newPost();
      return {
        path: `/api/posts/${post.id}`,
        status: 204,
        check: async () => expect(await postRow(post.id)).toBeUndefined(),
      };
    },
    'posts.set_pricing': async () => {
      const post = await newPost();
      return {
        path: `/api/posts/${post.id}/pricing`,
        body: { model: 'one_time', amount: 500, currency: 'usd' },
        status: 200,
        check: async () =>
          expect(await postRow(post.id)).toMatchObject({
            pricing_model: 'one_time',
            price_amount: 500,
          }),
      };
    },
    'posts.replies.list': async () => {
      const parent = await newPost();
      const r = await reply(parent.id);
      return {
        path: `/api/posts/${parent.id}/replies`,
        status: 200,
        check: (body) => expect((body.items as { id: string }[]).map((i) => i.id)).toEqual([r.id]),
      };
    },
    'posts.replies.accept': async () => {
      const parent = await newPost({ requiresReplyApproval: true });
      const r = await reply(parent.id);
      return {
        path: `/api/posts/${parent.id}/replies/${r.id}/accept`,
        status: 200,
        check: async () => expect((await postRow(r.id)).reply_state).toBe('accepted'),
      };
    },
    'posts.replies.request_revision': async () => {
      const parent = await newPost({ requiresReplyApproval: true });
      const r = await reply(parent.id);
      return {
        path: `/api/posts/${parent.id}/replies/${r.id}/request-revision`,
        body: { note: 'Please add the date.' },
        status: 200,
        check: async () =>
          expect(await postRow(r.id)).toMatchObject({
            reply_state: 'needs_revision',
            revision_note: 'Please add the date.',
          }),
      };
    },
    'places.search': async () => ({
      path: '/api/places?q=berl',
      status: 200,
      check: (body) => expect((body.items as { name: string }[])[0].name).toBe('Berlin'),
    }),
    'places.get': async () => {
      const [berlin] = await t.sql<{ id: string }>(`SELECT id FROM places WHERE name = 'Berlin'`);
      return {
        path: `/api/places/${berlin.id}`,
        status: 200,
        check: (body) => expect(body).toMatchObject({ name: 'Berlin', timezone: 'Europe/Berlin' }),
      };
    },
    'artifacts.create_upload': async () => {
      const post = await newPost();
      return {
        path: `/api/posts/${post.id}/artifact-uploads`,
        body: { filename: 'cover.png', contentType: 'image/png', size: PNG.length },
        status: 201,
        check: async (body) =>
          expect(
            await t.sql('SELECT post_id FROM artifact_uploads WHERE id = $1', [body.uploadId]),
          ).toEqual([{ post_id: post.id }]),
      };
    },
    'artifacts.commit_upload': async () => {
      const post = await newPost();
      const uploadId = await uploaded(post.id);
      return {
        path: `/api/posts/${post.id}/artifact-uploads/${uploadId}/commit`,
        status: 200,
        check: async () =>
          expect(
            await t.sql('SELECT size::int AS size FROM post_artifacts WHERE post_id = $1', [
              post.id,
            ]),
          ).toEqual([{ size: PNG.length }]),
      };
    },
    'artifacts.get': async () => {
      const post = await withArtifact();
      return {
        path: `/api/posts/${post.id}/artifact`,
        status: 200,
        check: (body) => expect(body).toMatchObject({ contentType: 'image/png', size: PNG.length }),
      };
    },
    'artifacts.download': async () => {
      const post = await withArtifact();
      return {
        path: `/api/posts/${post.id}/artifact/content`,
        status: 200,
        check: (body) => expect(Buffer.from(body as unknown as Buffer).equals(PNG)).toBe(true),
      };
    },
  };

  /** Everything the Content module stores, as one comparable value. */
  const contentState = async () =>
    t.sql(
      `SELECT (SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM posts x) AS posts,
              (SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM post_artifacts x) AS artifacts,
              (SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM artifact_uploads x) AS uploads,
              (SELECT count(*)::int FROM places) AS places`,
    );

  const send = (e: CatalogEndpoint, c: Case, headers: Record<string, string>) => {
    const req = t
      .http()
      [e.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](c.path)
      .set(headers);
    return c.body ? req.send(c.body) : req;
  };

  it('covers every user route of the Content module in the catalog', () => {
    expect(endpoints.map((e) => e.id).sort()).toEqual(Object.keys(cases).sort());
  });

  it('lets a browser session call each route (with CSRF on writes)', async () => {
    for (const e of endpoints) {
      const c = await cases[e.id]();
      const headers: Record<string, string> = { Cookie: alice.cookie };
      if (e.method !== 'GET') headers['X-CSRF-Token'] = alice.csrfToken;
      const res = await send(e, c, headers);
      expect(res.status, `${e.id}: ${res.text}`).toBe(c.status);
      await c.check?.(res.body as Record<string, unknown>);
    }
  });

  it('lets a PAT holding exactly the catalog’s scopes call each route', async () => {
    for (const e of endpoints) {
      const c = await cases[e.id]();
      const { token } = await createToken(t, alice, e.pat.scopes!);
      const res = await send(e, c, bearer(token));
      expect(res.status, `${e.id}: ${res.text}`).toBe(c.status);
      await c.check?.(res.body as Record<string, unknown>);
    }
  });

  it('refuses a PAT without those scopes with insufficient_scope, changing nothing', async () => {
    for (const e of endpoints) {
      const required = e.pat.scopes!;
      const others = ALL_SCOPES.filter(
        (s) => CONTENT_SCOPES.includes(s) && !required.some((r) => effectiveScopes([s]).has(r)),
      );
      expect(others.length, e.id).toBeGreaterThan(0);
      const c = await cases[e.id]();
      const { token } = await createToken(t, alice, others);
      const before = await contentState();
      const res = await send(e, c, bearer(token));
      expect(res.status, e.id).toBe(403);
      expect(res.body, e.id).toMatchObject({
        code: 'insufficient_scope',
        requiredScopes: required,
      });
      expect(await contentState(), e.id).toEqual(before);
    }
  });
});
