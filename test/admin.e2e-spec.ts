import { bearer, createToken, signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('admin tooling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ADMIN_EMAILS: 'admin@example.com' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists users, every token (metadata only), revokes any token, and pages audit events', async () => {
    const admin = await signUp(t, { email: 'admin@example.com' });
    const bob = await signUp(t);
    const { token, id } = await createToken(t, bob, ['posts:read']);
    const asAdmin = { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrfToken };

    const users = await t.http().get('/api/admin/users').set(asAdmin).expect(200);
    expect(users.body.items.map((u: { email: string }) => u.email)).toEqual([
      bob.email,
      'admin@example.com',
    ]);
    expect(users.body.nextCursor).toBeNull();
    expect(JSON.stringify(users.body)).not.toMatch(/password/i);

    const tokens = await t.http().get('/api/admin/tokens').set(asAdmin).expect(200);
    expect(tokens.body.items).toEqual([
      expect.objectContaining({ id, userId: bob.id, revokedAt: null }),
    ]);
    expect(JSON.stringify(tokens.body)).not.toContain(token);
    expect(JSON.stringify(tokens.body)).not.toMatch(/hash/i);

    await t.http().delete(`/api/admin/tokens/${id}`).set(asAdmin).expect(204);
    await t.http().get('/api/me').set(bearer(token)).expect(401);
    const [row] = await t.sql<{ revoked_at: Date | null }>(
      'SELECT revoked_at FROM personal_access_tokens WHERE id = $1',
      [id],
    );
    expect(row.revoked_at).not.toBeNull();

    const page1 = await t
      .http()
      .get('/api/admin/audit-events')
      .query({ actor: bob.id, limit: 1 })
      .set(asAdmin)
      .expect(200);
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await t
      .http()
      .get('/api/admin/audit-events')
      .query({ actor: bob.id, limit: 1, cursor: page1.body.nextCursor })
      .set(asAdmin)
      .expect(200);
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id);
    const revokes = await t
      .http()
      .get('/api/admin/audit-events')
      .query({ action: 'token.revoked' })
      .set(asAdmin)
      .expect(200);
    expect(revokes.body.items).toEqual([
      expect.objectContaining({
        action: 'token.revoked',
        actorUserId: admin.id,
        details: expect.objectContaining({ by: 'admin', tokenId: id }),
      }),
    ]);
    const bad = await t
      .http()
      .get('/api/admin/audit-events')
      .query({ actor: 'nobody' })
      .set(asAdmin)
      .expect(400);
    expect(bad.body.errors[0].field).toBe('actor');
  });

  it('refuses non-admins (admin_required) and tokens (session_required)', async () => {
    const carol = await signUp(t);
    const { token } = await createToken(t, carol, ['posts:read']);
    const a = await t.http().get('/api/admin/users').set('Cookie', carol.cookie).expect(403);
    expect(a.body.code).toBe('admin_required');
    const b = await t.http().get('/api/admin/users').set(bearer(token)).expect(403);
    expect(b.body.code).toBe('session_required');
  });
});
