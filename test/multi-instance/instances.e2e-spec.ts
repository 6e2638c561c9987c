import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { MIGRATIONS } from '../../src/database/data-source-options.js';
import { type AppProcess, startAppProcess } from '../support/app-process.js';

const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;
const RATE_LIMIT = 40;

if (!DATABASE_URL || !REDIS_URL)
  console.warn('multi-instance: skipped; it needs DATABASE_URL (PostgreSQL) and REDIS_URL.');

interface Session {
  id: string;
  email: string;
  cookie: string;
  csrf: string;
}

/**
 * Two real app processes (`node dist/src/main.js`) on one PostgreSQL database and one Redis, as
 * behind a load balancer: they start together on an empty database, and whatever a client did
 * on one is true on the other.
 */
describe.skipIf(!DATABASE_URL || !REDIS_URL)('two instances on one database and one Redis', () => {
  let admin: Client;
  let database: string;
  let a: AppProcess;
  let b: AppProcess;

  const call = (app: AppProcess, path: string, init: RequestInit = {}) =>
    fetch(app.url + path, { ...init, signal: AbortSignal.timeout(10_000) });
  const json = { 'Content-Type': 'application/json' };

  async function signUp(app: AppProcess): Promise<Session> {
    const email = `mi-${randomBytes(4).toString('hex')}@example.com`;
    const res = await call(app, '/api/auth/signup', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, password: 'correct horse battery staple', displayName: 'M' }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { user: { id: string }; csrfToken: string };
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('gpx_session='))!;
    return { id: body.user.id, email, cookie: cookie.split(';')[0], csrf: body.csrfToken };
  }

  async function createToken(app: AppProcess, s: Session): Promise<{ id: string; token: string }> {
    const res = await call(app, '/api/tokens', {
      method: 'POST',
      headers: { ...json, Cookie: s.cookie, 'X-CSRF-Token': s.csrf },
      body: JSON.stringify({ name: 'mi', scopes: ['posts:read'] }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; token: string };
  }

  const me = async (app: AppProcess, token: string) =>
    (await call(app, '/api/me', { headers: { Authorization: `Bearer ${token}` } })).status;

  beforeAll(async () => {
    admin = new Client({ connectionString: DATABASE_URL });
    await admin.connect();
    database = `gpx_mi_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE "${database}"`);
    const env = {
      DATABASE_URL: dbUrl(database),
      REDIS_URL: REDIS_URL!,
      REDIS_KEY_PREFIX: `gpx-mi-${randomBytes(4).toString('hex')}:`,
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      ANONYMOUS_RATE_LIMIT_PER_MINUTE: '10000',
    };
    // Both at once, on an empty database: both try to migrate it.
    const started = await Promise.allSettled([startAppProcess(env), startAppProcess(env)]);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      for (const r of started) if (r.status === 'fulfilled') await r.value.stop('SIGKILL');
      throw failed.reason;
    }
    [a, b] = started.map((r) => (r as PromiseFulfilledResult<AppProcess>).value);
  });

  afterAll(async () => {
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    expect(codes).toEqual([0, 0]);
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  });

  it('applies the migrations once when both start on an empty database at the same moment', async () => {
    // schema_migrations lives in the instances' database.
    const client = new Client({ connectionString: dbUrl(database) });
    await client.connect();
    try {
      const applied = await client.query<{ name: string; n: number }>(
        'SELECT name, count(*)::int AS n FROM schema_migrations GROUP BY name',
      );
      expect(applied.rows.length).toBe(MIGRATIONS.length);
      expect(applied.rows.every((r) => r.n === 1)).toBe(true);
    } finally {
      await client.end();
    }
    // One instance applied them all under the advisory lock; the other found nothing to do.
    const appliedBy = [a, b].map((app) => /applied (\d+) migration/.exec(app.output())?.[1]);
    expect(appliedBy.filter(Boolean)).toEqual([String(MIGRATIONS.length)]);
    expect([a, b].filter((app) => app.output().includes('schema up to date'))).toHaveLength(1);
  });

  it('accepts on B a session created on A, for reads and for CSRF-checked writes', async () => {
    const s = await signUp(a);
    const res = await call(b, '/api/me', { headers: { Cookie: s.cookie } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      user: { id: s.id, email: s.email },
      authenticatedWith: 'session',
    });
    const token = await createToken(b, s);
    expect(await me(a, token.token)).toBe(200);
  });

  it('refuses on B, within 1 s, a token revoked on A (after B trusted it from its cache)', async () => {
    const s = await signUp(a);
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { id, token } = await createToken(a, s);
      expect(await me(b, token)).toBe(200); // B now holds it in its verified-token cache
      const res = await call(a, `/api/tokens/${id}`, {
        method: 'DELETE',
        headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf },
      });
      expect(res.status).toBe(204);
      const revokedAt = Date.now();
      while ((await me(b, token)) !== 401) {
        expect(Date.now() - revokedAt).toBeLessThan(1_000);
        await new Promise((r) => setTimeout(r, 10));
      }
      latencies.push(Date.now() - revokedAt);
    }
    expect(Math.max(...latencies)).toBeLessThan(1_000);
    console.log(`revocation across instances: ${latencies.join(', ')} ms (A revokes → B refuses)`);
  });

  it('counts one rate limit across A and B together, not one per instance', async () => {
    const s = await signUp(a);
    const { token } = await createToken(a, s);
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT + 4; i++) statuses.push(await me(i % 2 ? b : a, token));
    expect(statuses.slice(0, RATE_LIMIT).every((x) => x === 200)).toBe(true);
    expect(statuses.slice(RATE_LIMIT)).toEqual([429, 429, 429, 429]);
    expect(await me(a, token)).toBe(429);
    expect(await me(b, token)).toBe(429);
  });

  it('shares the sign-in throttle per email between instances', async () => {
    const s = await signUp(a);
    const login = (app: AppProcess) =>
      call(app, '/api/auth/login', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email: s.email, password: 'wrong password, wrong' }),
      }).then((r) => r.status);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push(await login(i % 2 ? b : a));
    expect(statuses.slice(0, 10).every((x) => x === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  function dbUrl(name: string): string {
    const url = new URL(DATABASE_URL!);
    url.pathname = `/${name}`;
    return url.toString();
  }
});
