import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Hostile and careless input across the Content and Account routes: every answer is a 4xx
 * problem, never a 5xx, and the validation failures name the field.
 */
describe('hardening: hostile input is a 400, never a 500', () => {
  let t: TestApp;
  let alice: SignedInUser;
  let token: string;
  let postId: string;
  const session = (u: SignedInUser) => ({ Cookie: u.cookie, 'X-CSRF-Token': u.csrfToken });
  const NUL = 'a\u0000b';
  const LONE_SURROGATE = 'a\ud800b';
  const cursorOf = (values: unknown[]) =>
    Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');

  beforeAll(async () => {
    // Hundreds of requests from one client: the rate limits are not what this file tests.
    t = await createTestApp({
      env: { RATE_LIMIT_PER_MINUTE: '100000', ANONYMOUS_RATE_LIMIT_PER_MINUTE: '100000' },
    });
    alice = await signUp(t);
    token = (await createToken(t, alice, ['posts:write', 'places:read', 'artifacts:write'])).token;
    const res = await t
      .http()
      .post('/api/posts')
      .set(bearer(token))
      .send({ title: 'A post', body: 'Hello', status: 'PUBLISHED' })
      .expect(201);
    postId = res.body.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const fieldsOf = (body: { errors?: { field: string }[] }) =>
    (body.errors ?? []).map((e) => e.field);

  it('refuses NUL bytes and unpaired surrogates in body strings, naming the field', async () => {
    for (const bad of [NUL, LONE_SURROGATE]) {
      const created = await t
        .http()
        .post('/api/posts')
        .set(bearer(token))
        .send({ title: 'ok', body: bad, status: 'PUBLISHED', hashtags: ['fine'] });
      expect(created.status).toBe(400);
      expect(created.body.code).toBe('validation_failed');
      expect(fieldsOf(created.body)).toContain('body');

      const patched = await t
        .http()
        .patch(`/api/posts/${postId}`)
        .set(bearer(token))
        .send({ timezone: bad });
      expect(patched.status).toBe(400);
      expect(fieldsOf(patched.body)).toContain('timezone');

      const signup = await t
        .http()
        .post('/api/auth/signup')
        .send({ email: 'x@example.com', password: 'long enough password', displayName: bad });
      expect(signup.status).toBe(400);
      expect(fieldsOf(signup.body)).toContain('displayName');
    }
    const [{ n }] = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM posts WHERE body LIKE 'a%b'`,
    );
    expect(n).toBe(0);
  });

  it('names at most 20 bad fields, however many a body has', async () => {
    const res = await t
      .http()
      .post('/api/posts')
      .set(bearer(token))
      .send({ title: 't', body: 'b', mentions: Array.from({ length: 5000 }, () => 'a\u0000') });
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(20);
    expect(res.body.errors[0]).toMatchObject({ field: 'mentions[0]' });
  });

  it('refuses NUL bytes in query parameters and in nested array items', async () => {
    const feed = await t.http().get('/api/posts').query({ q: NUL }).set(bearer(token));
    expect(feed.status).toBe(400);
    expect(fieldsOf(feed.body)).toEqual(['q']);

    const tags = await t
      .http()
      .post('/api/posts')
      .set(bearer(token))
      .send({ title: 'ok', body: 'ok', status: 'PUBLISHED', mentions: ['a\u0000@example.com'] });
    expect(tags.status).toBe(400);
    expect(fieldsOf(tags.body)).toContain('mentions[0]');
  });

  it('refuses cursors PostgreSQL could not read (dates out of its range, bad shapes)', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const date of [
      '+275760-09-13T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '-000001-01-01T00:00:00.000Z',
      '2026-02-30',
      'Tue Mar 01 2022',
      '1',
    ]) {
      const res = await t
        .http()
        .get('/api/posts')
        .query({ cursor: cursorOf([date, id]) })
        .set(bearer(token));
      expect({ date, status: res.status }).toEqual({ date, status: 400 });
      expect(res.body.errors).toEqual([
        { field: 'cursor', message: 'is not a cursor this list issued' },
      ]);
    }
    // A cursor this list issued still works.
    const issued = cursorOf(['2026-11-28T12:00:00.123Z', id]);
    await t.http().get('/api/posts').query({ cursor: issued }).set(bearer(token)).expect(200);
  });

  it('refuses deeply nested JSON cheaply, as a 400 on the body', async () => {
    const depth = 5000;
    const body = '{"title":' + '['.repeat(depth) + ']'.repeat(depth) + '}';
    const res = await t
      .http()
      .post('/api/posts')
      .set(bearer(token))
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'body', message: expect.stringContaining('nested') }],
    });
    // Nesting inside strings is just text.
    const inString = await t
      .http()
      .post('/api/posts')
      .set(bearer(token))
      .send({ title: 'brackets', body: '['.repeat(depth), status: 'DRAFT' });
    expect(inString.status).toBe(201);
  });

  it('takes JSON in UTF-8 only: another charset is a 415, never a way past the depth cap or a 500', async () => {
    const deep = '{"title":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    const utf16be = Buffer.from(deep, 'utf16le').swap16(); // big-endian, no byte-order mark
    for (const [charset, bytes] of [
      ['utf-16', utf16be],
      ['utf-16le', Buffer.from(deep, 'utf16le')],
      ['utf-32', Buffer.alloc(16)],
      ['utf-7', Buffer.from('{}')],
    ] as const) {
      const res = await t
        .http()
        .post('/api/posts')
        .set(bearer(token))
        .set('Content-Type', `application/json; charset=${charset}`)
        .send(bytes);
      expect(res.status, charset).toBe(415);
      expect(res.body).toMatchObject({ code: 'unsupported_media_type' });
    }
  });

  it('answers null for a non-nullable PATCH field with a 400 naming it; nullable fields clear', async () => {
    for (const field of [
      'title',
      'body',
      'status',
      'hashtags',
      'mentions',
      'audienceTags',
      'requiresReplyApproval',
    ]) {
      const res = await t
        .http()
        .patch(`/api/posts/${postId}`)
        .set(bearer(token))
        .send({ [field]: null });
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(res.body.errors).toContainEqual({ field, message: 'must not be null' });
    }
    const cleared = await t
      .http()
      .patch(`/api/posts/${postId}`)
      .set(bearer(token))
      .send({ placeId: null, scheduledAt: null, timezone: null })
      .expect(200);
    expect(cleared.body).toMatchObject({ placeId: null, scheduledAt: null, timezone: null });
    const [row] = await t.sql<{ title: string; status: string }>(
      'SELECT title, status FROM posts WHERE id = $1',
      [postId],
    );
    expect(row).toEqual({ title: 'A post', status: 'PUBLISHED' });
  });

  it('answers a malformed upload id in the upload URL with a 4xx problem', async () => {
    // Shaped enough to pass the upload URL's own check and reach PostgreSQL's uuid cast: the
    // data exception (22P02) is the client's bad value, a 400 and never a 500.
    for (const id of ['-'.repeat(36), '0'.repeat(36), 'ffffffff-ffff-ffff-ffff-fffffffffff-']) {
      const res = await t
        .http()
        .put(`/api/artifact-uploads/${id}/${'A'.repeat(43)}`)
        .set('Content-Type', 'application/pdf')
        .send(Buffer.from('%PDF-1.4'));
      expect({ id, status: res.status }).toMatchObject({ id, status: expect.any(Number) });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    for (const id of [
      'not-a-uuid',
      '%00',
      '00000000-0000-0000-0000-00000000000g',
      'x'.repeat(300),
    ]) {
      const res = await t
        .http()
        .put(`/api/artifact-uploads/${id}/secret`)
        .set('Content-Type', 'application/pdf')
        .send(Buffer.from('%PDF-1.4'));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it(
    'a batch of hostile inputs across Content and Account routes: no 5xx anywhere',
    { timeout: 180_000 },
    async () => {
      const strings = [
        NUL,
        LONE_SURROGATE,
        '\udfff',
        '\u0000',
        '%00',
        '\u202e' + 'x',
        'x'.repeat(20_000),
        '../../etc/passwd',
        "'; DROP TABLE posts; --",
        '{"$gt":""}',
      ];
      const values: unknown[] = [
        ...strings,
        null,
        true,
        -1,
        1e308,
        Number.MAX_SAFE_INTEGER + 2,
        [],
        [NUL],
        {},
        { nested: NUL },
      ];
      const s = session(alice);
      const auth = bearer(token);
      const sent: { route: string; status: number }[] = [];
      // Queued, then sent a few at a time: hundreds of requests one by one take too long here.
      const queue: (() => Promise<void>)[] = [];
      const send = (
        method: 'post' | 'patch' | 'put',
        url: string,
        body: unknown,
        headers: Record<string, string>,
      ) => queue.push(() => sendNow(method, url, body, headers));
      const get = (url: string, query: Record<string, string>, headers: Record<string, string>) =>
        queue.push(() => getNow(url, query, headers));
      const sendNow = async (
        method: 'post' | 'patch' | 'put',
        url: string,
        body: unknown,
        headers: Record<string, string>,
      ) => {
        const res = await t
          .http()
          [method](url)
          .set(headers)
          .send(body as object);
        sent.push({
          route: `${method.toUpperCase()} ${url} ${JSON.stringify(body).slice(0, 80)}`,
          status: res.status,
        });
      };
      const getNow = async (
        url: string,
        query: Record<string, string>,
        headers: Record<string, string>,
      ) => {
        const res = await t.http().get(url).query(query).set(headers);
        sent.push({
          route: `GET ${url} ${JSON.stringify(query).slice(0, 80)}`,
          status: res.status,
        });
      };
      const bodies: [string, string, Record<string, unknown>, Record<string, string>][] = [
        ['post', '/api/posts', { title: 't', body: 'b', status: 'DRAFT' }, auth],
        ['patch', `/api/posts/${postId}`, { title: 't' }, auth],
        [
          'put',
          `/api/posts/${postId}/pricing`,
          { model: 'one_time', amount: 100, currency: 'eur' },
          auth,
        ],
        [
          'post',
          `/api/posts/${postId}/artifact-uploads`,
          { filename: 'a.pdf', contentType: 'application/pdf', size: 10 },
          auth,
        ],
        [
          'post',
          '/api/auth/signup',
          { email: 'z@example.com', password: 'long enough password', displayName: 'Z' },
          {},
        ],
        ['post', '/api/auth/login', { email: alice.email, password: 'wrong password' }, {}],
        ['post', '/api/tokens', { name: 'n', scopes: ['posts:read'] }, s],
      ];
      for (const [method, url, base, headers] of bodies) {
        for (const key of Object.keys(base)) {
          for (const value of values) {
            send(method as 'post', url, { ...base, [key]: value }, headers);
          }
        }
        send(method as 'post', url, { ...base, [NUL]: 'x' }, headers);
      }
      const queries: [string, string[], Record<string, string>][] = [
        [
          '/api/posts',
          ['q', 'hashtag', 'author', 'placeId', 'time', 'sort', 'status', 'limit', 'cursor'],
          auth,
        ],
        [`/api/posts/${postId}/replies`, ['limit', 'cursor'], auth],
        ['/api/places', ['limit', 'cursor', 'q'], auth],
        ['/api/tokens', ['limit', 'cursor'], s],
      ];
      for (const [url, keys, headers] of queries) {
        for (const key of keys) {
          for (const value of strings) get(url, { [key]: value.slice(0, 2000) }, headers);
        }
      }
      for (const id of ['%00', '%ED%A0%80', 'x'.repeat(2000), '1%27']) {
        get(`/api/posts/${id}`, {}, auth);
        get(`/api/posts/${postId}/replies/${id}`, {}, auth);
        get(`/api/places/${id}`, {}, auth);
        send('put', `/api/artifact-uploads/${id}/${id}`, {}, {});
      }
      const workers = Array.from({ length: 8 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await next();
      });
      await Promise.all(workers);
      const failures = sent.filter((r) => r.status >= 500);
      expect(failures).toEqual([]);
      expect(sent.length).toBeGreaterThan(500);
    },
  );
});
