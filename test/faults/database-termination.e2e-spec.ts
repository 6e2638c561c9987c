import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { DATABASE_APPLICATION_NAME } from '../../src/database/data-source-options.js';
import { bearer, createToken, type SignedInUser, signUp } from '../support/actors.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const onPostgres = Boolean(process.env.DATABASE_URL);
/** No answer may take longer than this, cut connections or not (the pool's connect timeout is 10 s). */
const REQUEST_TIMEOUT_MS = 12_000;

interface Outcome {
  kind: 'read' | 'write';
  startedAt: number;
  endedAt: number;
  status: number;
  code?: string;
  contentType?: string;
  retryAfter?: string | null;
  failure?: string;
}

/**
 * The database cuts every connection of the app (pg_terminate_backend on its application_name),
 * three times, while eight clients keep reading feeds and creating tokens. While connections are
 * gone, answers are 503 `unavailable` problem+json with Retry-After, never a 500 and never a hang;
 * the app recovers by itself within seconds; and no write is left half done: every token created
 * has its audit row and every audit row its token (one transaction each).
 */
describe.skipIf(!onPostgres)('database connections terminated under load (PostgreSQL)', () => {
  let t: TestApp;
  let admin: Client;
  let user: SignedInUser;
  let pat: string;
  let base: string;
  let database: string;

  beforeAll(async () => {
    t = await createTestApp({
      env: { RATE_LIMIT_PER_MINUTE: '1000000', ANONYMOUS_RATE_LIMIT_PER_MINUTE: '1000000' },
    });
    await t.running.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.running.app.getHttpServer().address() as AddressInfo).port}`;
    database = new URL(t.databaseUrl!).pathname.slice(1);
    admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    user = await signUp(t);
    pat = (await createToken(t, user, ['posts:read'])).token;
  });
  afterAll(async () => {
    await admin?.end();
    await t?.close();
  });

  const terminateAppConnections = async (): Promise<number> => {
    const { rowCount } = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = $1 AND datname = $2`,
      [DATABASE_APPLICATION_NAME, database],
    );
    return rowCount ?? 0;
  };

  async function call(kind: Outcome['kind'], n: number): Promise<Outcome> {
    const startedAt = Date.now();
    try {
      const res =
        kind === 'read'
          ? await fetch(`${base}/api/posts?limit=5`, {
              headers: bearer(pat),
              signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
            })
          : await fetch(`${base}/api/tokens`, {
              method: 'POST',
              headers: {
                Cookie: user.cookie,
                'X-CSRF-Token': user.csrfToken,
                'Content-Type': 'application/json',
              },
              body: JSON.stringify({ name: `load ${n}`, scopes: ['posts:read'] }),
              signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
            });
      const text = await res.text();
      const code = res.status >= 400 ? (JSON.parse(text) as { code?: string }).code : undefined;
      return {
        kind,
        startedAt,
        endedAt: Date.now(),
        status: res.status,
        code,
        contentType: res.headers.get('content-type') ?? undefined,
        retryAfter: res.headers.get('retry-after'),
      };
    } catch (error) {
      return { kind, startedAt, endedAt: Date.now(), status: 0, failure: String(error) };
    }
  }

  it('answers 503 unavailable with Retry-After while they are gone, recovers within seconds, and leaves no half write', async () => {
    const outcomes: Outcome[] = [];
    const kills: { at: number; terminated: number }[] = [];
    let running = true;
    let n = 0;
    const worker = async (id: number) => {
      while (running) outcomes.push(await call(id % 4 === 0 ? 'write' : 'read', n++));
    };
    const workers = Array.from({ length: 8 }, (_, i) => worker(i));
    for (const delay of [800, 1500, 1500]) {
      await new Promise((r) => setTimeout(r, delay));
      kills.push({ at: Date.now(), terminated: await terminateAppConnections() });
    }
    await new Promise((r) => setTimeout(r, 3000));
    running = false;
    await Promise.all(workers);

    // Every answer is a success or the documented 503; none is a 500, none hung or broke.
    const unexpected = outcomes.filter(
      (o) => !([200, 201].includes(o.status) || (o.status === 503 && o.code === 'unavailable')),
    );
    expect(unexpected).toEqual([]);
    for (const o of outcomes.filter((x) => x.status === 503)) {
      expect(o.contentType).toMatch(/^application\/problem\+json/);
      expect(Number(o.retryAfter)).toBeGreaterThan(0);
    }
    expect(Math.max(...outcomes.map((o) => o.endedAt - o.startedAt))).toBeLessThan(
      REQUEST_TIMEOUT_MS,
    );
    expect(kills.every((k) => k.terminated > 0)).toBe(true);

    // Recovery: after each cut, the first request started after it that succeeded.
    const recoveries = kills.map((k) => {
      const next = outcomes
        .filter((o) => o.startedAt >= k.at && o.status < 300)
        .sort((a, b) => a.endedAt - b.endedAt)[0];
      return next ? next.endedAt - k.at : Infinity;
    });
    for (const ms of recoveries) expect(ms).toBeLessThan(5_000);
    const last = outcomes.filter((o) => o.startedAt > kills[2].at + 1_000);
    expect(last.length).toBeGreaterThan(0);
    expect(last.every((o) => o.status < 300)).toBe(true);

    // No half write: tokens and their audit rows come in pairs.
    const [pairs] = await t.sql<{ tokens: number; audited: number; orphans: number }>(
      `SELECT (SELECT count(*)::int FROM personal_access_tokens WHERE user_id = $1) AS tokens,
              (SELECT count(*)::int FROM audit_events WHERE action = 'token.created' AND actor_user_id = $1) AS audited,
              (SELECT count(*)::int FROM personal_access_tokens p WHERE p.user_id = $1 AND NOT EXISTS (
                 SELECT 1 FROM audit_events a WHERE a.action = 'token.created' AND a.actor_token_id = p.id)) AS orphans`,
      [user.id],
    );
    expect(pairs.tokens).toBe(pairs.audited);
    expect(pairs.orphans).toBe(0);
    const writes = outcomes.filter((o) => o.kind === 'write');
    expect(pairs.tokens).toBeGreaterThanOrEqual(1 + writes.filter((o) => o.status === 201).length);

    const count = (s: number) => outcomes.filter((o) => o.status === s).length;
    console.log(
      `database termination: ${outcomes.length} requests (${writes.length} writes), ` +
        `${count(200) + count(201)} ok, ${count(503)} × 503 unavailable, 0 other; ` +
        `connections cut ${kills.map((k) => k.terminated).join('/')}; ` +
        `recovered after ${recoveries.map((ms) => `${ms} ms`).join(', ')}; ` +
        `slowest answer ${Math.max(...outcomes.map((o) => o.endedAt - o.startedAt))} ms; ` +
        `${pairs.tokens} tokens, ${pairs.audited} audit rows`,
    );
  });
});
