import type { Response } from 'supertest';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { SAMPLE_PNG, uploadSamplePng } from './support/artifacts.js';
import { databaseState } from './support/route-matrix.js';
import { useTestApp } from './support/test-app.js';

/**
 * Memberships (issue 12): joining and leaving, the creator's member search and tags, and the
 * audience tags they resolve (a published post with audienceTags is visible to its author and
 * to the author's members holding one of them, in the feed, by id, its replies and its
 * artifact). The access matrix for the routes is in account-access.e2e-spec.ts.
 */

const t = useTestApp();
let creator: SignedInUser;
/** The creator's token for everything in this file: write posts, upload, manage members. */
let creatorToken: string;

beforeAll(async () => {
  creator = await signUp(t);
  creatorToken = (
    await createToken(t, creator, ['posts:write', 'artifacts:write', 'memberships:manage'])
  ).token;
});

const session = (user: SignedInUser) => ({ Cookie: user.cookie, 'X-CSRF-Token': user.csrfToken });
const join = (user: SignedInUser, creatorId: string) =>
  t.http().post(`/api/creators/${creatorId}/membership`).set(session(user));
const leave = (user: SignedInUser, creatorId: string) =>
  t.http().delete(`/api/creators/${creatorId}/membership`).set(session(user));
const setTags = (memberId: string, tags: unknown, token = creatorToken) =>
  t.http().put(`/api/memberships/members/${memberId}/tags`).set(bearer(token)).send({ tags });
const members = (query: Record<string, string>, token = creatorToken) =>
  t.http().get('/api/memberships/members').query(query).set(bearer(token));
const membershipRows = (creatorId: string) =>
  t.sql<{ member_id: string; tags: string[] }>(
    'SELECT member_id, tags FROM memberships WHERE creator_id = $1 ORDER BY member_id',
    [creatorId],
  );

/** A 400 validation_failed naming `field`. */
function expectInvalid(res: Response, field: string) {
  expect(res.status, res.text).toBe(400);
  expect(res.body).toMatchObject({
    code: 'validation_failed',
    errors: expect.arrayContaining([expect.objectContaining({ field })]),
  });
}

describe('memberships: join and leave', () => {
  it('joins once: joining again answers the same membership and stores one row', async () => {
    const fan = await signUp(t);
    const first = await join(fan, creator.id).expect(200);
    expect(first.body).toEqual({ creatorId: creator.id, joinedAt: expect.any(String) });
    await setTags(fan.id, ['vip']).expect(200);
    const again = await join(fan, creator.id).expect(200);
    expect(again.body).toEqual(first.body);
    // Joining again keeps the creator's tags.
    expect(
      await t.sql('SELECT tags FROM memberships WHERE creator_id = $1 AND member_id = $2', [
        creator.id,
        fan.id,
      ]),
    ).toEqual([{ tags: ['vip'] }]);
  });

  it('refuses an unknown creator, a malformed id and yourself with 400 naming creatorId', async () => {
    const fan = await signUp(t);
    const before = await databaseState(t);
    expectInvalid(await join(fan, '6f1d0c3e-2b7a-4c1e-9a55-0d3c9b1e2f47'), 'creatorId');
    expectInvalid(await join(fan, 'not-a-uuid'), 'creatorId');
    const self = await join(creator, creator.id);
    expectInvalid(self, 'creatorId');
    expect(JSON.stringify(self.body)).toContain('cannot join their own membership');
    expectInvalid(await leave(fan, '6f1d0c3e-2b7a-4c1e-9a55-0d3c9b1e2f47'), 'creatorId');
    expect(await databaseState(t)).toEqual(before);
  });

  it('leaves: the row is gone, and leaving again is a 404', async () => {
    const fan = await signUp(t);
    await join(fan, creator.id).expect(200);
    await leave(fan, creator.id).expect(204);
    expect((await membershipRows(creator.id)).map((r) => r.member_id)).not.toContain(fan.id);
    const before = await databaseState(t);
    const again = await leave(fan, creator.id).expect(404);
    expect(again.body).toMatchObject({ code: 'not_found' });
    expect(await databaseState(t)).toEqual(before);
  });
});

describe('memberships: the creator searches and tags members', () => {
  let manager: SignedInUser;
  let managerToken: string;
  const joined: SignedInUser[] = [];

  beforeAll(async () => {
    manager = await signUp(t);
    managerToken = (await createToken(t, manager, ['memberships:manage'])).token;
    // Display names "User n" come from signUp; emails "user<n>-<time>@example.com".
    for (let i = 0; i < 3; i++) {
      const fan = await signUp(t);
      await join(fan, manager.id).expect(200);
      joined.push(fan);
    }
    await t.sql(`UPDATE users SET display_name = 'Zoë 100% Real_Fan' WHERE id = $1`, [
      joined[2].id,
    ]);
  });

  const ids = (res: Response) => (res.body.items as { memberId: string }[]).map((m) => m.memberId);

  it('lists members newest first, page by page without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await members({ limit: '1', ...(cursor ? { cursor } : {}) }, managerToken).expect(
        200,
      );
      expect(res.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...ids(res));
      cursor = res.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(joined.map((u) => u.id).reverse());
  });

  it('searches by display-name or email prefix, case-insensitively, with % and _ taken literally', async () => {
    const byEmail = await members(
      { q: joined[0].email.slice(0, -5).toUpperCase() },
      managerToken,
    ).expect(200);
    expect(ids(byEmail)).toEqual([joined[0].id]);
    expect(byEmail.body.items[0]).toEqual({
      memberId: joined[0].id,
      displayName: expect.any(String),
      email: joined[0].email,
      tags: [],
      joinedAt: expect.any(String),
    });
    expect(ids(await members({ q: 'zoË 100% real_' }, managerToken).expect(200))).toEqual([
      joined[2].id,
    ]);
    // Wildcards match themselves only: "%" or "_" alone match no one here.
    expect(ids(await members({ q: '%' }, managerToken).expect(200))).toEqual([]);
    expect(ids(await members({ q: 'user_' }, managerToken).expect(200))).toEqual([]);
    // A prefix, not a substring.
    expect(ids(await members({ q: 'real' }, managerToken).expect(200))).toEqual([]);
  });

  it('filters by tag, normalised like the tags themselves', async () => {
    await setTags(joined[1].id, ['#Gold', 'early'], managerToken).expect(200);
    expect(ids(await members({ tag: ' #GOLD ' }, managerToken).expect(200))).toEqual([
      joined[1].id,
    ]);
    expect(ids(await members({ tag: 'silver' }, managerToken).expect(200))).toEqual([]);
    expectInvalid(await members({ tag: 'no spaces' }, managerToken), 'tag');
  });

  it('replaces tags (trimmed, without #, lower-cased, once each); [] removes them all', async () => {
    const res = await setTags(
      joined[0].id,
      [' #VIP ', 'vip', 'Early-Backer', '#early-backer'],
      managerToken,
    ).expect(200);
    expect(res.body).toMatchObject({ memberId: joined[0].id, tags: ['vip', 'early-backer'] });
    const [row] = await t.sql<{ tags: string[] }>(
      'SELECT tags FROM memberships WHERE creator_id = $1 AND member_id = $2',
      [manager.id, joined[0].id],
    );
    expect(row.tags).toEqual(['vip', 'early-backer']);
    await setTags(joined[0].id, [], managerToken).expect(200);
    expect(
      await t.sql('SELECT tags FROM memberships WHERE creator_id = $1 AND member_id = $2', [
        manager.id,
        joined[0].id,
      ]),
    ).toEqual([{ tags: [] }]);
  });

  it('refuses bad tags with 400 naming tags, changing nothing', async () => {
    const before = await databaseState(t);
    for (const tags of [
      ['ok', 'Not Allowed'],
      ['under_score'],
      [''],
      ['#'],
      ['x'.repeat(33)],
      Array.from({ length: 21 }, (_, i) => `t${i}`),
      'vip',
      [42],
      null,
    ])
      expectInvalid(await setTags(joined[1].id, tags, managerToken), 'tags');
    expectInvalid(
      await t
        .http()
        .put(`/api/memberships/members/${joined[1].id}/tags`)
        .set(bearer(managerToken))
        .send({}),
      'tags',
    );
    expect(await databaseState(t)).toEqual(before);
    // Twenty tags of 32 characters are fine.
    const most = Array.from({ length: 20 }, (_, i) => `${i}`.padStart(32, 'a'));
    expect((await setTags(joined[1].id, most, managerToken).expect(200)).body.tags).toEqual(most);
  });

  it('keeps each creator to their own members: another creator gets 404 and changes nothing', async () => {
    const [row] = await membershipRows(manager.id);
    // The other creator (session and token alike) tags someone who is not their member.
    const other = await signUp(t);
    const otherToken = (await createToken(t, other, ['memberships:manage'])).token;
    const before = await databaseState(t);
    const byToken = await setTags(row.member_id, ['stolen'], otherToken).expect(404);
    expect(byToken.body).toMatchObject({ code: 'not_found' });
    await t
      .http()
      .put(`/api/memberships/members/${row.member_id}/tags`)
      .set(session(other))
      .send({ tags: ['stolen'] })
      .expect(404);
    expect(await databaseState(t)).toEqual(before);
    // Nor do they see the member in their list.
    expect(ids(await members({}, otherToken).expect(200))).toEqual([]);
    expect((await membershipRows(manager.id)).find((r) => r.member_id === row.member_id)).toEqual(
      row,
    );
    // A member id that is not a uuid names no member either.
    await setTags('not-a-uuid', ['x'], otherToken).expect(404);
  });
});

describe('audience tags: a post for members holding a tag', () => {
  let vipFan: SignedInUser;
  let goldFan: SignedInUser;
  let stranger: SignedInUser;
  const readers = new Map<SignedInUser, string>();
  let postId: string;
  let replyId: string;
  let replyReference: string;

  beforeAll(async () => {
    [vipFan, goldFan, stranger] = [await signUp(t), await signUp(t), await signUp(t)];
    for (const user of [vipFan, goldFan, stranger])
      readers.set(user, (await createToken(t, user, ['posts:read'])).token);
    await join(vipFan, creator.id).expect(200);
    await join(goldFan, creator.id).expect(200);
    await setTags(vipFan.id, ['vip']).expect(200);
    await setTags(goldFan.id, ['gold']).expect(200);
    // The stranger holds "vip" too, but with another creator: only the author's members count.
    const elsewhere = await signUp(t);
    await join(stranger, elsewhere.id).expect(200);
    await t.sql(`UPDATE memberships SET tags = '{vip}' WHERE member_id = $1`, [stranger.id]);

    const post = await t
      .http()
      .post('/api/posts')
      .set(bearer(creatorToken))
      .send({ title: 'for vips', body: 'b', status: 'PUBLISHED', audienceTags: ['VIP', 'inner'] })
      .expect(201);
    postId = post.body.id;
    expect(post.body.audienceTags).toEqual(['vip', 'inner']);
    const reply = await t
      .http()
      .post('/api/posts')
      .set(bearer(creatorToken))
      .send({ title: 'a reply', body: 'r', status: 'PUBLISHED', parentPostId: postId })
      .expect(201);
    [replyId, replyReference] = [reply.body.id, reply.body.referenceId];
    await uploadSamplePng(t, creatorToken, postId, { commit: true });
  });

  /** What `user` sees of the post: in the feed, by id, its replies, its artifact. */
  async function sightings(user: SignedInUser) {
    const token = readers.get(user)!;
    const feed = await t
      .http()
      .get('/api/posts')
      .query({ author: creator.id, limit: '100' })
      .set(bearer(token))
      .expect(200);
    const byId = await t.http().get(`/api/posts/${postId}`).set(bearer(token));
    const replies = await t.http().get(`/api/posts/${postId}/replies`).set(bearer(token));
    // A reply carries no tags of its own: it is as members-only as the post it answers.
    const replyById = await t.http().get(`/api/posts/${replyId}`).set(bearer(token));
    const artifact = await t
      .http()
      .get(`/api/posts/${postId}/artifact/content`)
      .set(bearer(token))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    return {
      inFeed: (feed.body.items as { id: string }[]).some((p) => p.id === postId),
      byId: byId.status,
      replies:
        replies.status === 200
          ? (replies.body.items as { id: string }[]).map((r) => r.id)
          : replies.status,
      replyById: replyById.status,
      artifact:
        artifact.status === 200
          ? Buffer.compare(artifact.body as Buffer, SAMPLE_PNG) === 0
          : artifact.status,
    };
  }

  const SEES = () => ({
    inFeed: true,
    byId: 200,
    replies: [replyId],
    replyById: 200,
    artifact: true,
  });
  const HIDDEN = { inFeed: false, byId: 404, replies: 404, replyById: 404, artifact: 404 };

  it('shows the post to a member holding one of its tags, and to no one else', async () => {
    expect(await sightings(vipFan)).toEqual(SEES());
    expect(await sightings(goldFan)).toEqual(HIDDEN);
    expect(await sightings(stranger)).toEqual(HIDDEN);
    const byIdForMember = await t
      .http()
      .get(`/api/posts/${postId}`)
      .set(bearer(readers.get(vipFan)!))
      .expect(200);
    expect(byIdForMember.body).toMatchObject({ id: postId, audienceTags: ['vip', 'inner'] });
    // No credentials: refused before any post is looked at.
    const anonymous = await t.http().get(`/api/posts/${postId}`).expect(401);
    expect(anonymous.body).toMatchObject({ code: 'unauthenticated' });
    await t.http().get('/api/posts').expect(401);
    // Nor do the public short links of the post or of its reply lead anywhere.
    for (const ref of [replyReference]) {
      const short = await t.http().get(`/r/${ref}`).expect(404);
      expect(short.body).toMatchObject({ code: 'not_found' });
    }
  });

  it('hides it again at once when the tag is removed, and shows it when given back', async () => {
    await setTags(vipFan.id, ['gold']).expect(200);
    expect(await sightings(vipFan)).toEqual(HIDDEN);
    // Another of the post's tags works as well as the first.
    await setTags(goldFan.id, ['gold', 'INNER']).expect(200);
    expect(await sightings(goldFan)).toEqual(SEES());
    await setTags(vipFan.id, ['vip']).expect(200);
    expect(await sightings(vipFan)).toEqual(SEES());
  });

  it('hides it at once when the member leaves', async () => {
    await leave(vipFan, creator.id).expect(204);
    expect(await sightings(vipFan)).toEqual(HIDDEN);
    // Joining again starts without tags: still hidden.
    await join(vipFan, creator.id).expect(200);
    expect(await sightings(vipFan)).toEqual(HIDDEN);
  });

  it('prices and moderates members-only posts without reading outside the transaction', async () => {
    // On the embedded database (one connection) a membership read inside the pricing transaction
    // used to wait for a second connection: 10 s of a stalled API, then 503.
    const writer = (await createToken(t, stranger, ['posts:write'])).token;
    const priced = await t
      .http()
      .put(`/api/posts/${postId}/pricing`)
      .set(bearer(writer))
      .send({ model: 'one_time', amount: 500, currency: 'EUR' })
      .expect(404);
    expect(priced.body).toMatchObject({ code: 'not_found' });
    expect(await t.sql('SELECT pricing_model FROM posts WHERE id = $1', [postId])).toEqual([
      { pricing_model: null },
    ]);
  });

  it('refuses audience tags on a reply: it reaches the audience of the post it answers', async () => {
    // The gold fan holds "inner" by now, so may see the post and reply to it.
    const writer = (await createToken(t, goldFan, ['posts:write'])).token;
    const before = await t.sql('SELECT count(*)::int AS n FROM posts');
    const res = await t
      .http()
      .post('/api/posts')
      .set(bearer(writer))
      .send({
        title: 'r',
        body: 'r',
        status: 'PUBLISHED',
        parentPostId: postId,
        audienceTags: ['vip'],
      })
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'audienceTags' })]);
    expect(await t.sql('SELECT count(*)::int AS n FROM posts')).toEqual(before);
  });

  it('keeps a draft with audience tags to its author, whatever the member holds', async () => {
    const draft = await t
      .http()
      .post('/api/posts')
      .set(bearer(creatorToken))
      .send({ title: 'not yet', body: 'b', status: 'DRAFT', audienceTags: ['gold'] })
      .expect(201);
    await t
      .http()
      .get(`/api/posts/${draft.body.id}`)
      .set(bearer(readers.get(goldFan)!))
      .expect(404);
    await t.http().get(`/api/posts/${draft.body.id}`).set(bearer(creatorToken)).expect(200);
  });
});
