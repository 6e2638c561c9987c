import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('hardening: concurrent token revocation (issue 11, defect 12)', () => {
  let t: TestApp;
  let alice: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { ADMIN_EMAILS: 'admin-hardening@example.com' } });
    alice = await signUp(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const asSession = (u: SignedInUser) => ({ Cookie: u.cookie, 'X-CSRF-Token': u.csrfToken });
  const revokedAudits = (tokenId: string) =>
    t.sql<{ actor_user_id: string; details: { by: string; tokenId: string } }>(
      `SELECT actor_user_id, details FROM audit_events
        WHERE action = 'token.revoked' AND details->>'tokenId' = $1`,
      [tokenId],
    );

  it('20 parallel DELETEs of one token: one 204, the rest 404, exactly one audit row', async () => {
    const { id, token } = await createToken(t, alice, ['posts:read']);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => t.http().delete(`/api/tokens/${id}`).set(asSession(alice))),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([204, ...Array<number>(19).fill(404)]);
    for (const a of answers.filter((x) => x.status === 404)) expect(a.body.code).toBe('not_found');

    const audits = await revokedAudits(id);
    expect(audits).toEqual([
      { actor_user_id: alice.id, details: expect.objectContaining({ by: 'owner', tokenId: id }) },
    ]);
    const [row] = await t.sql<{ revoked_at: Date | null }>(
      'SELECT revoked_at FROM personal_access_tokens WHERE id = $1',
      [id],
    );
    expect(row.revoked_at).toBeInstanceOf(Date);
    await t.http().get('/api/posts').set(bearer(token)).expect(401);
  });

  it('parallel admin revokes of one token: one 204, one audit row', async () => {
    const admin = await signUp(t, { email: 'admin-hardening@example.com' });
    const { id } = await createToken(t, alice, ['posts:read']);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.http().delete(`/api/admin/tokens/${id}`).set(asSession(admin)),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([204, ...Array<number>(9).fill(404)]);
    expect(await revokedAudits(id)).toEqual([
      { actor_user_id: admin.id, details: expect.objectContaining({ by: 'admin', tokenId: id }) },
    ]);
  });

  it('someone else’s token is a 404 and stays live, with no audit row', async () => {
    const bob = await signUp(t);
    const { id, token } = await createToken(t, alice, ['posts:read']);
    const res = await t.http().delete(`/api/tokens/${id}`).set(asSession(bob)).expect(404);
    expect(res.body.code).toBe('not_found');
    expect(await revokedAudits(id)).toEqual([]);
    await t.http().get('/api/posts').set(bearer(token)).expect(200);
  });

  it('token names need not be unique: two live tokens may share a name (README, Access)', async () => {
    const a = await createToken(t, alice, ['posts:read'], { name: 'ci' });
    const b = await createToken(t, alice, ['posts:read'], { name: 'ci' });
    const rows = await t.sql<{ id: string }>(
      `SELECT id FROM personal_access_tokens WHERE user_id = $1 AND name = 'ci' AND revoked_at IS NULL ORDER BY id`,
      [alice.id],
    );
    expect(rows.map((r) => r.id)).toEqual([a.id, b.id].sort());
  });
});
