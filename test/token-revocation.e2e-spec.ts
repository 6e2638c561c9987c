import { TokenRevocationListener } from '../src/modules/account/tokens/token-revocation.listener.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Each instance trusts a verified token from memory for up to this long (TokensService). */
const CACHE_LIFETIME_MS = 10_000;
const onPostgres = Boolean(process.env.DATABASE_URL);

if (!onPostgres)
  console.warn(
    'token-revocation: skipped; several instances share PostgreSQL only (the embedded database serves one process).',
  );

describe.skipIf(!onPostgres)('tokens: a revoke reaches every instance at once', () => {
  let a: TestApp;
  let b: TestApp;
  let alice: SignedInUser;
  const listening = (t: TestApp) => t.running.app.get(TokenRevocationListener).listening;
  const me = async (t: TestApp, token: string) =>
    (await t.http().get('/api/me').set(bearer(token))).status;

  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ sameDatabaseAs: a });
    alice = await signUp(a);
  });
  afterAll(async () => {
    try {
      await b?.close();
    } finally {
      await a?.close();
    }
  });

  it('evicts the token from the other instance’s cache through NOTIFY, long before the cache would expire', async () => {
    await expect.poll(() => listening(a) && listening(b)).toBe(true);
    const { token, id } = await createToken(a, alice, ['posts:read']);
    expect(await me(b, token)).toBe(200); // instance B now trusts the token from memory
    const revokedAt = Date.now();
    await a
      .http()
      .delete(`/api/tokens/${id}`)
      .set({ Cookie: alice.cookie, 'X-CSRF-Token': alice.csrfToken })
      .expect(204);
    await expect.poll(() => me(b, token), { timeout: 3_000 }).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(CACHE_LIFETIME_MS / 2);
  });

  it('forgets everything it trusted when its listening connection drops (notices may be lost)', async () => {
    const { token, id } = await createToken(a, alice, ['posts:read']);
    expect(await me(b, token)).toBe(200);
    const cachedAt = Date.now();
    // A revoke whose notice nobody receives: written straight to the database, no NOTIFY.
    await a.sql('UPDATE personal_access_tokens SET revoked_at = now() WHERE id = $1', [id]);
    expect(await me(b, token)).toBe(200); // still trusted from memory: nothing told B
    await b.sql(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'gpx-token-revocations' AND datname = current_database()`,
    );
    await expect.poll(() => me(b, token), { timeout: 4_000 }).toBe(401);
    expect(Date.now() - cachedAt).toBeLessThan(CACHE_LIFETIME_MS / 2);
    await expect.poll(() => listening(a) && listening(b)).toBe(true); // both reconnected
  });
});
