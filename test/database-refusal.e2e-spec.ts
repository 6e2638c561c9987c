import { Client } from 'pg';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const onPostgres = Boolean(process.env.DATABASE_URL);

/**
 * When the database refuses new connections and has dropped the open ones, every route that
 * needs it answers 503 `unavailable` with Retry-After, never 500, and recovers by itself.
 * PostgreSQL only: embedded PGlite is one in-process connection that cannot refuse or be cut.
 */
describe.skipIf(!onPostgres)('database refusing connections (PostgreSQL only)', () => {
  let t: TestApp;
  let admin: Client;
  let user: SignedInUser;
  let token: string;
  let database: string;

  const refuseConnections = async () => {
    await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
  };
  const allowConnections = () => admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);

  beforeAll(async () => {
    t = await createTestApp();
    database = new URL(t.databaseUrl!).pathname.slice(1);
    admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    user = await signUp(t);
    token = (await createToken(t, user, ['posts:read'])).token;
  });
  afterAll(async () => {
    await allowConnections().catch(() => undefined);
    await admin?.end();
    await t?.close();
  });

  it('answers 503 unavailable with Retry-After on the API, sign-in, the session and the web UI', async () => {
    await t.http().get('/api/posts').set(bearer(token)).expect(200);
    await refuseConnections();
    try {
      const answers = {
        'GET /api/posts': await t.http().get('/api/posts').set(bearer(token)),
        'POST /api/auth/login': await t
          .http()
          .post('/api/auth/login')
          .send({ email: user.email, password: user.password }),
        'GET /api/auth/session': await t.http().get('/api/auth/session').set('Cookie', user.cookie),
        'GET /api/me': await t.http().get('/api/me').set('Cookie', user.cookie),
        'GET /': await t.http().get('/').set('Cookie', user.cookie),
      };
      for (const [what, res] of Object.entries(answers)) {
        expect({ what, status: res.status }).toEqual({ what, status: 503 });
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ code: 'unavailable', status: 503 });
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    } finally {
      await allowConnections();
    }
    // And it recovers without a restart.
    const again = await t.http().get('/api/posts').set(bearer(token)).expect(200);
    expect(again.body.items).toEqual([]);
  });
});
