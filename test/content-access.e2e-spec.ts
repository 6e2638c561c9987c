import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { SAMPLE_PNG, uploadSamplePng } from './support/artifacts.js';
import { describeRouteMatrix, type RouteCall } from './support/route-matrix.js';
import { useTestApp } from './support/test-app.js';

/**
 * The Content module's access matrix (see test/support/route-matrix.ts): every Content route the
 * catalog lists, called by the same author with a session, with a PAT holding exactly the
 * catalog's scopes, and refused without them. This file only says how to call each route and
 * what a successful call must have changed.
 */

const t = useTestApp();
let alice: SignedInUser;
let aliceAll: string;
let bobWrite: string;

beforeAll(async () => {
  alice = await signUp(t);
  aliceAll = (await createToken(t, alice, ['posts:write', 'artifacts:write'])).token;
  bobWrite = (await createToken(t, await signUp(t), ['posts:write'])).token;
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
const uploaded = (postId: string) => uploadSamplePng(t, aliceAll, postId);
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

const cases: Record<string, () => Promise<RouteCall>> = {
  'posts.create': async () => ({
    path: '/api/posts',
    body: { title: 'matrix post', body: 'b', status: 'PUBLISHED' },
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
      check: (body) => expect((body.items as { id: string }[])[0].id).toBe(post.id),
    };
  },
  'posts.get': async () => {
    const post = await newPost({ status: 'DRAFT' });
    return {
      path: `/api/posts/${post.id}`,
      check: (body) => expect(body).toMatchObject({ id: post.id, status: 'DRAFT' }),
    };
  },
  'posts.update': async () => {
    const post = await newPost();
    return {
      path: `/api/posts/${post.id}`,
      body: { title: 'edited' },
      check: async () => expect((await postRow(post.id)).title).toBe('edited'),
    };
  },
  'posts.delete': async () => {
    const post = await newPost();
    return {
      path: `/api/posts/${post.id}`,
      check: async () => expect(await postRow(post.id)).toBeUndefined(),
    };
  },
  'posts.set_pricing': async () => {
    const post = await newPost();
    return {
      path: `/api/posts/${post.id}/pricing`,
      body: { model: 'one_time', amount: 500, currency: 'usd' },
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
      check: (body) => expect((body.items as { id: string }[]).map((i) => i.id)).toEqual([r.id]),
    };
  },
  'posts.replies.accept': async () => {
    const parent = await newPost({ requiresReplyApproval: true });
    const r = await reply(parent.id);
    return {
      path: `/api/posts/${parent.id}/replies/${r.id}/accept`,
      check: async () => expect((await postRow(r.id)).reply_state).toBe('accepted'),
    };
  },
  'posts.replies.request_revision': async () => {
    const parent = await newPost({ requiresReplyApproval: true });
    const r = await reply(parent.id);
    return {
      path: `/api/posts/${parent.id}/replies/${r.id}/request-revision`,
      body: { note: 'Please add the date.' },
      check: async () =>
        expect(await postRow(r.id)).toMatchObject({
          reply_state: 'needs_revision',
          revision_note: 'Please add the date.',
        }),
    };
  },
  'places.search': async () => ({
    path: '/api/places?q=berl',
    check: (body) => expect((body.items as { name: string }[])[0].name).toBe('Berlin'),
  }),
  'places.get': async () => {
    const [berlin] = await t.sql<{ id: string }>(`SELECT id FROM places WHERE name = 'Berlin'`);
    return {
      path: `/api/places/${berlin.id}`,
      check: (body) => expect(body).toMatchObject({ name: 'Berlin', timezone: 'Europe/Berlin' }),
    };
  },
  'artifacts.create_upload': async () => {
    const post = await newPost();
    return {
      path: `/api/posts/${post.id}/artifact-uploads`,
      body: { filename: 'cover.png', contentType: 'image/png', size: SAMPLE_PNG.length },
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
      check: async () =>
        expect(
          await t.sql('SELECT size::int AS size FROM post_artifacts WHERE post_id = $1', [post.id]),
        ).toEqual([{ size: SAMPLE_PNG.length }]),
    };
  },
  'artifacts.get': async () => {
    const post = await withArtifact();
    return {
      path: `/api/posts/${post.id}/artifact`,
      check: (body) =>
        expect(body).toMatchObject({ contentType: 'image/png', size: SAMPLE_PNG.length }),
    };
  },
  'artifacts.download': async () => {
    const post = await withArtifact();
    return {
      path: `/api/posts/${post.id}/artifact/content`,
      check: (_body, res) => expect(Buffer.from(res.body as Buffer).equals(SAMPLE_PNG)).toBe(true),
    };
  },
};

describeRouteMatrix({
  module: 'content',
  app: t,
  caller: () => alice,
  cases,
  outsideMatrix: {
    'admin.places.create': 'admin-only: test/content-places.e2e-spec.ts',
    'artifacts.upload_bytes':
      'webhook-ingress: the upload URL’s secret is the credential (test/content-artifacts.e2e-spec.ts)',
  },
});
