import { createToken, type SignedInUser, signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { patDisplayPrefix } from '../src/access/pat-format.js';

/**
 * Bearer headers that passport-http-bearer does not parse (another scheme, a run of spaces, a
 * token in the header and the body at once) and the body or query-string tokens it would
 * otherwise accept. Pins the refusal wording and audit rows for each: the guard learns the
 * presented token from the strategy and describes these by hand only.
 */
describe('access: how a presented bearer token is read', () => {
  let t: TestApp;
  let alice: SignedInUser;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp();
    alice = await signUp(t);
    token = (await createToken(t, alice, ['posts:write'])).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  const deniedRows = () =>
    t.sql<{ details: Record<string, unknown>; actor_user_id: string | null }>(
      `SELECT details, actor_user_id FROM audit_events WHERE action = 'access.denied' ORDER BY created_at, id`,
    );
  const UNKNOWN = 'The token is unknown, expired or revoked.';
  const MALFORMED =
    'The bearer token is malformed: personal access tokens look like gpx_pat_ followed by 38 letters and digits.';

  it('takes the Bearer scheme in any case', async () => {
    await t.http().get('/api/posts').set('Authorization', `bearer ${token}`).expect(200);
  });

  it('refuses a live token after two spaces as an unknown token, and audits its prefix', async () => {
    const before = (await deniedRows()).length;
    const res = await t.http().get('/api/posts').set('Authorization', `Bearer  ${token}`);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'invalid_token', detail: UNKNOWN });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="GetPaidX", error="invalid_token"');
    await vi.waitFor(async () => {
      const rows = (await deniedRows()).slice(before);
      expect(rows).toEqual([
        {
          actor_user_id: null,
          details: {
            reason: 'invalid_token',
            tokenPrefix: patDisplayPrefix(token),
            route: 'GET /api/posts',
          },
        },
      ]);
    });
  });

  it('reads the token from the header only: a body access_token is just an unknown field', async () => {
    const res = await t
      .http()
      .post('/api/posts')
      .set('Authorization', `Bearer ${token}`)
      .send({ access_token: token, title: 'two tokens', body: 'b', status: 'PUBLISHED' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'validation_failed' });
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'access_token' })]);
    expect(await t.sql(`SELECT id FROM posts WHERE title = 'two tokens'`)).toEqual([]);
  });

  it('never takes a body or query token behind an unparseable Bearer header, nor 500s on one', async () => {
    for (const req of [
      t.http().post('/api/posts').set('Authorization', 'Bearer\tx y').send({ access_token: token }),
      t.http().get(`/api/posts?access_token=${token}`).set('Authorization', 'Bearer\tx y'),
      t
        .http()
        .post('/api/posts')
        .set('Authorization', 'Bearer\tx y')
        .send({ access_token: [token], title: 't', body: 'b' }),
    ]) {
      const res = await req;
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'invalid_token' });
    }
  });

  it('refuses another scheme as malformed, without an audit row, even with a query token', async () => {
    const before = (await deniedRows()).length;
    for (const req of [
      t.http().get('/api/posts').set('Authorization', `Token ${token}`),
      t.http().get(`/api/posts?access_token=${token}`).set('Authorization', 'Basic YTpi'),
    ]) {
      const res = await req;
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'invalid_token', detail: MALFORMED });
    }
    // A later refusal that is audited proves the two above were not merely slow to write.
    await t.http().get('/api/posts').set('Authorization', `Bearer  ${token}`).expect(401);
    await vi.waitFor(async () => {
      const rows = (await deniedRows()).slice(before);
      expect(rows.map((r) => r.details.reason)).toEqual(['invalid_token']);
      expect(rows[0].details.route).toBe('GET /api/posts');
    });
  });

  it('ignores a token in the query string or body when no Authorization header is sent', async () => {
    const res = await t.http().get(`/api/posts?access_token=${token}`);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'unauthenticated' });
    const write = await t
      .http()
      .post('/api/posts')
      .send({ access_token: token, title: 'body token', body: 'b' });
    expect(write.status).toBe(401);
    expect(write.body).toMatchObject({ code: 'unauthenticated' });
    expect(await t.sql(`SELECT id FROM posts WHERE title = 'body token'`)).toEqual([]);
  });
});
