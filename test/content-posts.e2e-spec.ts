import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { useTestApp } from './support/test-app.js';

const HOUR = 3600 * 1000;

describe('content: posts, pricing, replies, visibility', () => {
  const t = useTestApp();
  let alice: SignedInUser;
  let bob: SignedInUser;
  let aliceWrite: string;
  let aliceRead: string;
  let bobWrite: string;
  const session = (u: SignedInUser) => ({ Cookie: u.cookie, 'X-CSRF-Token': u.csrfToken });

  beforeAll(async () => {
    alice = await signUp(t);
    bob = await signUp(t);
    aliceWrite = (await createToken(t, alice, ['posts:write'])).token;
    aliceRead = (await createToken(t, alice, ['posts:read'])).token;
    bobWrite = (await createToken(t, bob, ['posts:write'])).token;
  });

  const createPost = async (token: string, body: Record<string, unknown>) => {
    const res = await t
      .http()
      .post('/api/posts')
      .set(bearer(token))
      .send({ title: 'A post', body: 'Hello', status: 'PUBLISHED', ...body });
    if (res.status !== 201) throw new Error(`${res.status} ${res.text}`);
    return res.body as Record<string, string>;
  };

  it('creates a post with a PAT holding posts:write, normalising hashtags and mentions', async () => {
    const [berlin] = await t.sql<{ id: string }>(`SELECT id FROM places WHERE name = 'Berlin'`);
    const post = await createPost(aliceWrite, {
      title: '  Winter market  ',
      body: 'Come by **stall 12**.',
      placeId: berlin.id,
      scheduledAt: '2030-12-24T18:00:00Z',
      timezone: 'Europe/Berlin',
      hashtags: ['#Market', 'market', ' WINTER '],
      mentions: ['Friend@Example.com', 'friend@example.com'],
    });
    expect(post).toMatchObject({
      title: 'Winter market',
      status: 'PUBLISHED',
      placeId: berlin.id,
      scheduledAt: '2030-12-24T18:00:00.000Z',
      timezone: 'Europe/Berlin',
      hashtags: ['market', 'winter'],
      mentions: ['friend@example.com'],
      authorId: alice.id,
      pricing: null,
      parentPostId: null,
    });
    expect(post.referenceId).toMatch(/^[0-9A-Za-z]{10}$/);
    const [row] = await t.sql<{ hashtags: string[]; author_id: string }>(
      'SELECT hashtags, author_id FROM posts WHERE id = $1',
      [post.id],
    );
    expect(row).toEqual({ hashtags: ['market', 'winter'], author_id: alice.id });
    // Others see the post, but not whom it mentions.
    const seen = await t.http().get(`/api/posts/${post.id}`).set(bearer(bobWrite)).expect(200);
    expect(seen.body.mentions).toBeUndefined();
  });

  it('refuses a posts:read PAT before writing anything', async () => {
    const before = await t.sql('SELECT count(*)::int AS n FROM posts');
    const res = await t
      .http()
      .post('/api/posts')
      .set(bearer(aliceRead))
      .send({ title: 'nope', body: 'x', status: 'PUBLISHED' })
      .expect(403);
    expect(res.body).toMatchObject({
      code: 'insufficient_scope',
      requiredScopes: ['posts:write'],
      grantedScopes: ['posts:read'],
    });
    expect(await t.sql('SELECT count(*)::int AS n FROM posts')).toEqual(before);
    expect(await t.sql(`SELECT id FROM posts WHERE title = 'nope'`)).toEqual([]);
  });

  it('lets a browser session do what a posts:write PAT does (with CSRF)', async () => {
    const res = await t
      .http()
      .post('/api/posts')
      .set(session(bob))
      .send({ title: 'From the browser', body: 'b', status: 'DRAFT' })
      .expect(201);
    expect(res.body.status).toBe('DRAFT');
    await t
      .http()
      .post('/api/posts')
      .set({ Cookie: bob.cookie })
      .send({ title: 'no csrf', body: 'b', status: 'DRAFT' })
      .expect(403);
  });

  it.each([
    ['a blank title', { title: '  ' }, 'title'],
    ['an over-long title', { title: 't'.repeat(201) }, 'title'],
    ['an over-long body', { body: 'b'.repeat(20_001) }, 'body'],
    ['a bad status', { status: 'LIVE' }, 'status'],
    [
      'an unknown time zone',
      { scheduledAt: '2030-01-01T10:00:00Z', timezone: 'Mars/Olympus' },
      'timezone',
    ],
    ['a schedule without a time zone', { scheduledAt: '2030-01-01T10:00:00Z' }, 'timezone'],
    [
      'a schedule past the year 9999 in UTC',
      { scheduledAt: '9999-12-31T23:59:50-14:00', timezone: 'UTC' },
      'scheduledAt',
    ],
    ['an unknown place', { placeId: '00000000-0000-4000-8000-000000000000' }, 'placeId'],
    [
      'too many hashtags',
      { hashtags: Array.from({ length: 11 }, (_, i) => `tag${i}`) },
      'hashtags',
    ],
    ['a bad hashtag', { hashtags: ['no spaces allowed'] }, 'hashtags'],
    ['a mention that is not an email', { mentions: ['bob'] }, 'mentions'],
    // Audience tags follow the member-tag rule, so every accepted tag is one a member can hold.
    ['an audience tag no member can hold', { audienceTags: ['vip_club'] }, 'audienceTags'],
    ['an unknown field', { likes: 3 }, 'likes'],
  ])('refuses %s with 400 naming the field and writes nothing', async (_label, extra, field) => {
    const before = await t.sql('SELECT count(*)::int AS n FROM posts');
    const res = await t
      .http()
      .post('/api/posts')
      .set(bearer(aliceWrite))
      .send({ title: 'ok', body: 'ok', status: 'PUBLISHED', ...extra })
      .expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await t.sql('SELECT count(*)::int AS n FROM posts')).toEqual(before);
  });

  it("hides a draft from everyone but its author (404), and refuses to edit another user's post", async () => {
    const draft = await createPost(aliceWrite, { title: 'secret draft', status: 'DRAFT' });
    await t.http().get(`/api/posts/${draft.id}`).set(bearer(aliceRead)).expect(200);
    const hidden = await t.http().get(`/api/posts/${draft.id}`).set(bearer(bobWrite)).expect(404);
    expect(hidden.body.code).toBe('not_found');
    await t
      .http()
      .patch(`/api/posts/${draft.id}`)
      .set(bearer(bobWrite))
      .send({ title: 'mine now' })
      .expect(404);

    const published = await createPost(aliceWrite, { title: 'public' });
    const refused = await t
      .http()
      .patch(`/api/posts/${published.id}`)
      .set(bearer(bobWrite))
      .send({ title: 'hijacked' })
      .expect(403);
    expect(refused.body.code).toBe('forbidden');
    await t.http().delete(`/api/posts/${published.id}`).set(bearer(bobWrite)).expect(403);
    const [row] = await t.sql<{ title: string }>('SELECT title FROM posts WHERE id = $1', [
      published.id,
    ]);
    expect(row.title).toBe('public');

    const edited = await t
      .http()
      .patch(`/api/posts/${draft.id}`)
      .set(bearer(aliceWrite))
      .send({ status: 'PUBLISHED' })
      .expect(200);
    expect(edited.body.publishedAt).not.toBeNull();
    await t.http().get(`/api/posts/${draft.id}`).set(bearer(bobWrite)).expect(200);
  });

  it('hides a post with audience tags from someone who is not a tagged member of its author', async () => {
    const vip = await createPost(aliceWrite, { title: 'vip only', audienceTags: ['#VIP', 'vip'] });
    expect(vip.audienceTags).toEqual(['vip']);
    await t.http().get(`/api/posts/${vip.id}`).set(bearer(bobWrite)).expect(404);
    const feed = await t
      .http()
      .get('/api/posts')
      .query({ author: alice.id, limit: 100 })
      .set(bearer(bobWrite))
      .expect(200);
    expect(feed.body.items.map((p: { id: string }) => p.id)).not.toContain(vip.id);
  });

  it('locks the price once set: the same price again is fine, a change is 409', async () => {
    const post = await createPost(aliceWrite, { title: 'paid offer' });
    const priced = await t
      .http()
      .put(`/api/posts/${post.id}/pricing`)
      .set(bearer(aliceWrite))
      .send({ model: 'one_time', amount: 1500, currency: 'EUR' })
      .expect(200);
    expect(priced.body.pricing).toEqual({
      model: 'one_time',
      amount: 1500,
      currency: 'eur',
      locked: true,
    });
    await t
      .http()
      .put(`/api/posts/${post.id}/pricing`)
      .set(bearer(aliceWrite))
      .send({ model: 'one_time', amount: 1500, currency: 'eur' })
      .expect(200);
    const changed = await t
      .http()
      .put(`/api/posts/${post.id}/pricing`)
      .set(bearer(aliceWrite))
      .send({ model: 'subscription', amount: 900, currency: 'eur' })
      .expect(409);
    expect(changed.body.code).toBe('conflict');
    const [row] = await t.sql(
      'SELECT pricing_model, price_amount, price_currency FROM posts WHERE id = $1',
      [post.id],
    );
    expect(row).toEqual({ pricing_model: 'one_time', price_amount: 1500, price_currency: 'eur' });
    await t
      .http()
      .put(`/api/posts/${post.id}/pricing`)
      .set(bearer(bobWrite))
      .send({ model: 'one_time', amount: 100, currency: 'eur' })
      .expect(403);
    const bad = await t
      .http()
      .put(`/api/posts/${post.id}/pricing`)
      .set(bearer(aliceWrite))
      .send({ model: 'lifetime', amount: 0, currency: 'btc' })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'amount',
      'currency',
      'model',
    ]);
  });

  it('moderates replies: awaiting review, needs revision with a note, accepted', async () => {
    const parent = await createPost(aliceWrite, {
      title: 'moderated',
      requiresReplyApproval: true,
    });
    const reply = (
      await t
        .http()
        .post('/api/posts')
        .set(bearer(bobWrite))
        .send({ title: 'my reply', body: 'hi', status: 'PUBLISHED', parentPostId: parent.id })
        .expect(201)
    ).body;
    expect(reply.replyState).toBe('awaiting_review');

    // A third party does not see it yet; the parent's author does.
    const carol = await signUp(t);
    const carolRead = (await createToken(t, carol, ['posts:read'])).token;
    await t.http().get(`/api/posts/${reply.id}`).set(bearer(carolRead)).expect(404);
    const forAlice = await t
      .http()
      .get(`/api/posts/${parent.id}/replies`)
      .set(bearer(aliceRead))
      .expect(200);
    expect(forAlice.body.items.map((r: { id: string }) => r.id)).toEqual([reply.id]);
    const forCarol = await t
      .http()
      .get(`/api/posts/${parent.id}/replies`)
      .set(bearer(carolRead))
      .expect(200);
    expect(forCarol.body.items).toEqual([]);

    // Only the parent's author moderates.
    await t
      .http()
      .post(`/api/posts/${parent.id}/replies/${reply.id}/accept`)
      .set(bearer(bobWrite))
      .expect(403);
    const revise = await t
      .http()
      .post(`/api/posts/${parent.id}/replies/${reply.id}/request-revision`)
      .set(bearer(aliceWrite))
      .send({ note: 'Add the date, please.' })
      .expect(200);
    expect(revise.body).toMatchObject({
      replyState: 'needs_revision',
      revisionNote: 'Add the date, please.',
    });
    const bobSees = await t.http().get(`/api/posts/${reply.id}`).set(bearer(bobWrite)).expect(200);
    expect(bobSees.body.revisionNote).toBe('Add the date, please.');

    // Revising sends it back for review; accepting makes it public.
    const revised = await t
      .http()
      .patch(`/api/posts/${reply.id}`)
      .set(bearer(bobWrite))
      .send({ body: 'hi, on Saturday' })
      .expect(200);
    expect(revised.body.replyState).toBe('awaiting_review');
    const accepted = await t
      .http()
      .post(`/api/posts/${parent.id}/replies/${reply.id}/accept`)
      .set(bearer(aliceWrite))
      .expect(200);
    expect(accepted.body.replyState).toBe('accepted');
    await t.http().get(`/api/posts/${reply.id}`).set(bearer(carolRead)).expect(200);

    // Replies to unmoderated posts are accepted at once; deleting the post deletes its thread.
    const open = await createPost(aliceWrite, { title: 'open thread' });
    const quick = (
      await t
        .http()
        .post('/api/posts')
        .set(bearer(bobWrite))
        .send({ title: 'r', body: 'r', status: 'PUBLISHED', parentPostId: open.id })
        .expect(201)
    ).body;
    expect(quick.replyState).toBe('accepted');
    await t.http().delete(`/api/posts/${open.id}`).set(bearer(aliceWrite)).expect(204);
    expect(await t.sql('SELECT id FROM posts WHERE id = ANY($1)', [[open.id, quick.id]])).toEqual(
      [],
    );
    await t.http().get(`/api/posts/${open.id}`).set(bearer(aliceRead)).expect(404);
  });
});

describe('content: the feed', () => {
  const t = useTestApp();
  let alice: SignedInUser;
  let reader: string;
  let writer: string;

  beforeAll(async () => {
    alice = await signUp(t);
    writer = (await createToken(t, alice, ['posts:write'])).token;
    reader = (await createToken(t, await signUp(t), ['posts:read'])).token;
  });

  const post = (body: Record<string, unknown>) =>
    t
      .http()
      .post('/api/posts')
      .set(bearer(writer))
      .send({ title: 'p', body: 'b', status: 'PUBLISHED', ...body })
      .expect(201);
  const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((p) => p.id);
  const at = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

  it('filters by hashtag, place, author, time and full text, and sorts upcoming', async () => {
    const [paris] = await t.sql<{ id: string }>(`SELECT id FROM places WHERE name = 'Paris'`);
    const soon = (
      await post({
        title: 'Jazz night',
        body: 'Live saxophone quartet',
        hashtags: ['music'],
        scheduledAt: new Date(Date.now() + 2 * HOUR).toISOString(),
        timezone: 'Europe/Paris',
        placeId: paris.id,
      })
    ).body;
    const later = (
      await post({
        title: 'Book club',
        body: 'We discuss novels',
        hashtags: ['books'],
        scheduledAt: new Date(Date.now() + 48 * HOUR).toISOString(),
        timezone: 'Europe/Paris',
      })
    ).body;
    const past = (
      await post({
        title: 'Old meetup',
        body: 'It was fun',
        hashtags: ['music'],
        scheduledAt: new Date(Date.now() - 48 * HOUR).toISOString(),
        timezone: 'UTC',
      })
    ).body;
    const plain = (await post({ title: 'Just an update', body: 'Nothing scheduled' })).body;
    await post({ title: 'draft', status: 'DRAFT', hashtags: ['music'] });

    const get = (query: Record<string, string>) =>
      t.http().get('/api/posts').query(query).set(bearer(reader)).expect(200);
    expect(ids(await get({ hashtag: '#Music' })).sort()).toEqual([soon.id, past.id].sort());
    expect(ids(await get({ placeId: paris.id }))).toEqual([soon.id]);
    expect(ids(await get({ time: 'upcoming' })).sort()).toEqual([soon.id, later.id].sort());
    expect(ids(await get({ time: 'past' }))).toEqual([past.id]);
    expect(ids(await get({ sort: 'upcoming' }))).toEqual([soon.id, later.id]);
    expect(ids(await get({ q: 'saxophones' }))).toEqual([soon.id]);
    expect(ids(await get({ q: 'novel' }))).toEqual([later.id]);
    // The search vector follows edits (kept by a trigger on title and body).
    await t
      .http()
      .patch(`/api/posts/${later.id}`)
      .set(bearer(writer))
      .send({ body: 'We discuss poetry' })
      .expect(200);
    expect(ids(await get({ q: 'poetry' }))).toEqual([later.id]);
    expect(ids(await get({ q: 'novel' }))).toEqual([]);
    expect(ids(await get({ author: alice.id })).slice(0, 4)).toEqual([
      plain.id,
      past.id,
      later.id,
      soon.id,
    ]);
    // Drafts never reach other people's feeds.
    expect(
      (await get({ limit: '100' })).body.items.map((p: { status: string }) => p.status),
    ).not.toContain('DRAFT');
    const bad = await t
      .http()
      .get('/api/posts')
      .query({ time: 'tomorrow', sort: 'hot' })
      .set(bearer(reader))
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['sort', 'time']);
  });

  it('scrolls stably while new posts arrive: no duplicates, no skips', async () => {
    for (let i = 0; i < 25; i++) await post({ title: `batch ${i}`, hashtags: ['batch'] });
    const seen: string[] = [];
    let cursor: string | undefined;
    let page = 0;
    do {
      const res = await t
        .http()
        .get('/api/posts')
        .query({ hashtag: 'batch', limit: '10', ...(cursor ? { cursor } : {}) })
        .set(bearer(reader))
        .expect(200);
      seen.push(...ids(res));
      cursor = res.body.nextCursor ?? undefined;
      // Between pages, new posts arrive at the top of the feed.
      if (page++ < 2)
        for (let j = 0; j < 3; j++) await post({ title: `new ${page}-${j}`, hashtags: ['batch'] });
    } while (cursor);
    const originals = await t.sql<{ id: string }>(
      `SELECT id FROM posts WHERE title LIKE 'batch %' ORDER BY created_at DESC, id DESC`,
    );
    expect(seen.filter((id) => originals.some((o) => o.id === id))).toEqual(
      originals.map((o) => o.id),
    );
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('pages the upcoming sort by scheduled time without repeats or gaps', async () => {
    const made = [];
    // Two share a scheduled time, so the id breaks the tie across a page boundary.
    for (const hours of [300, 301, 301, 302])
      made.push((await post({ title: 'later', scheduledAt: at(hours), timezone: 'UTC' })).body);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await t
        .http()
        .get('/api/posts')
        .query({ sort: 'upcoming', limit: '1', ...(cursor ? { cursor } : {}) })
        .set(bearer(reader))
        .expect(200);
      seen.push(...ids(res));
      cursor = res.body.nextCursor ?? undefined;
    } while (cursor);
    const expected = await t.sql<{ id: string }>(
      `SELECT id FROM posts WHERE status = 'PUBLISHED' AND parent_post_id IS NULL
          AND scheduled_at >= now() ORDER BY scheduled_at, id`,
    );
    expect(seen).toEqual(expected.map((r) => r.id));
    expect(seen.slice(-4)).toEqual(
      made
        .map((p) => p as { id: string; scheduledAt: string })
        .sort((a, b) => a.scheduledAt.localeCompare(b.scheduledAt) || a.id.localeCompare(b.id))
        .map((p) => p.id),
    );
  });

  /**
   * The feed item GET /api/posts/{postId}'s answer implies: the same keys in the same order, an
   * excerpt (the first 280 characters, counted as characters, not UTF-16 units) where the body
   * was, the body too only with include=body, and none of the fields only a reply has.
   */
  const feedItemOf = (single: Record<string, unknown>, withBody: boolean) => {
    const item: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(single)) {
      if (['parentPostId', 'replyState', 'revisionNote'].includes(key)) continue;
      if (key !== 'body') {
        item[key] = value;
        continue;
      }
      if (withBody) item.body = value;
      const chars = value === null ? null : Array.from(value as string);
      item.excerpt = chars && chars.slice(0, 280).join('');
      item.bodyTruncated = chars !== null && chars.length > 280;
    }
    return item;
  };

  it('serves every feed item as GET /api/posts/{postId} does, with an excerpt for the body, for author and others', async () => {
    // The feed's JSON is built by PostgreSQL, the single post's by Node: they must not drift.
    const [lisbon] = await t.sql<{ id: string }>(`SELECT id FROM places WHERE name = 'Lisbon'`);
    const full = (
      await post({
        title: 'Everything "quoted" \\ and ünïcode ✓',
        body: 'Line one\nLine two\t<b>tags</b>',
        placeId: lisbon.id,
        scheduledAt: at(5),
        timezone: 'Europe/Lisbon',
        hashtags: ['Fado', 'music'],
        mentions: ['guest@example.com'],
        requiresReplyApproval: true,
      })
    ).body;
    await t
      .http()
      .put(`/api/posts/${full.id}/pricing`)
      .set(bearer(writer))
      .send({ model: 'subscription', amount: 700, currency: 'EUR' })
      .expect(200);
    const tagged = (await post({ title: 'members', audienceTags: ['vip'] })).body;
    const draft = (await post({ title: 'unfinished', status: 'DRAFT' })).body;
    // Longer than the excerpt, with characters outside the BMP (two UTF-16 units each) around
    // the cut: the excerpt counts characters and never splits one.
    const long = (await post({ title: 'long', body: `${'✓'.repeat(270)}${'😀'.repeat(20)} end` }))
      .body;
    const exact = (await post({ title: 'exactly 280', body: 'x'.repeat(280) })).body;
    // Sub-millisecond timestamps must format the way JavaScript's toISOString() truncates them
    // (.123999 is .123, where rounding would give .124).
    await t.sql(`UPDATE posts SET updated_at = '2026-01-01T00:00:00.123999Z' WHERE id = $1`, [
      full.id,
    ]);
    const aliceReader = (await createToken(t, alice, ['posts:read'])).token;

    for (const [viewer, query, expectedIds] of [
      [aliceReader, { author: alice.id }, [exact.id, long.id, tagged.id, full.id]],
      [reader, { author: alice.id }, [exact.id, long.id, full.id]],
      [aliceReader, { status: 'DRAFT' }, [draft.id]],
    ] as const) {
      for (const withBody of [false, true]) {
        const res = await t
          .http()
          .get('/api/posts')
          .query({ ...query, limit: '100', ...(withBody ? { include: 'body' } : {}) })
          .set(bearer(viewer))
          .expect(200)
          .expect('Content-Type', 'application/json; charset=utf-8');
        expect(ids(res).filter((id) => expectedIds.includes(id as never))).toEqual(expectedIds);
        for (const item of res.body.items as { id: string }[]) {
          const single = await t
            .http()
            .get(`/api/posts/${item.id}`)
            .set(bearer(viewer))
            .expect(200);
          const expected = feedItemOf(single.body, withBody);
          expect(item).toStrictEqual(expected);
          // Byte for byte, key order included.
          expect(res.text).toContain(JSON.stringify(expected));
        }
      }
    }
    const feedOf = async (token: string, include?: string) =>
      (
        await t
          .http()
          .get('/api/posts')
          .query({ author: alice.id, ...(include ? { include } : {}) })
          .set(bearer(token))
          .expect(200)
      ).body.items as Record<string, unknown>[];
    const mine = (await feedOf(aliceReader)).find((p) => p.id === full.id)!;
    expect(mine).toMatchObject({
      title: 'Everything "quoted" \\ and ünïcode ✓',
      excerpt: 'Line one\nLine two\t<b>tags</b>',
      bodyTruncated: false,
      mentions: ['guest@example.com'],
      pricing: { model: 'subscription', amount: 700, currency: 'eur', locked: true },
      hashtags: ['fado', 'music'],
    });
    expect(mine).not.toHaveProperty('body');
    expect(mine).not.toHaveProperty('parentPostId');
    expect(mine.updatedAt).toBe('2026-01-01T00:00:00.123Z');
    // The excerpt: 270 checks and 10 of the emoji, 280 characters but 290 UTF-16 units.
    const cut = (await feedOf(reader)).find((p) => p.id === long.id)!;
    expect(cut.excerpt).toBe(`${'✓'.repeat(270)}${'😀'.repeat(10)}`);
    expect(cut.bodyTruncated).toBe(true);
    expect((await feedOf(reader)).find((p) => p.id === exact.id)).toMatchObject({
      excerpt: 'x'.repeat(280),
      bodyTruncated: false,
    });
    // Locked for a reader who has not bought it: no excerpt either, with or without include=body.
    for (const include of [undefined, 'body']) {
      const locked = (await feedOf(reader, include)).find((p) => p.id === full.id)!;
      expect(locked).toMatchObject({ excerpt: null, bodyTruncated: false });
      expect(locked.purchase).not.toBeNull();
      if (include) expect(locked.body).toBeNull();
    }
    expect((await feedOf(reader, 'body')).find((p) => p.id === long.id)!.body).toBe(
      `${'✓'.repeat(270)}${'😀'.repeat(20)} end`,
    );
  });

  it('refuses an include it does not know with 400 naming include', async () => {
    const res = await t
      .http()
      .get('/api/posts')
      .query({ include: 'comments' })
      .set(bearer(reader))
      .expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['include']);
  });

  it('ignores a body sent with a GET, and refuses a non-JSON body on a POST that takes none', async () => {
    const res = await t
      .http()
      .get('/api/posts')
      .set(bearer(reader))
      .set('Content-Type', 'text/plain')
      .send('stray body')
      .expect(200);
    expect(Array.isArray(res.body.items)).toBe(true);
    const parent = (await post({ requiresReplyApproval: true })).body;
    const refused = await t
      .http()
      .post(`/api/posts/${parent.id}/replies/${parent.id}/accept`)
      .set(bearer(writer))
      .set('Content-Type', 'text/plain')
      .send('stray body')
      .expect(415); // declared in the catalog: the harness checks every problem response
    expect(refused.body.code).toBe('unsupported_media_type');
  });

  it('refuses a malformed cursor with 400 naming cursor', async () => {
    const res = await t
      .http()
      .get('/api/posts')
      .query({ cursor: 'garbage!' })
      .set(bearer(reader))
      .expect(400)
      // The feed's JSON Content-Type is set for successes only; errors stay problem+json.
      .expect('Content-Type', /^application\/problem\+json/);
    expect(res.body.errors[0].field).toBe('cursor');
  });
});
