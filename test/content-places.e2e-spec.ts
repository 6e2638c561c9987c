import { bearer, createToken, signUp } from './support/actors.js';
import { useTestApp } from './support/test-app.js';

describe('content: places', () => {
  const t = useTestApp({ env: { ADMIN_EMAILS: 'places-admin@example.com' } });

  it('searches the seeded places by name with places:read, and reads one', async () => {
    const user = await signUp(t);
    const token = (await createToken(t, user, ['places:read'])).token;
    const res = await t
      .http()
      .get('/api/places')
      .query({ q: 'san' })
      .set(bearer(token))
      .expect(200);
    expect(res.body.items.map((p: { name: string }) => p.name)).toEqual(
      ['San Francisco', 'São Paulo'].filter((n) => n.toLowerCase().includes('san')),
    );
    const all = await t
      .http()
      .get('/api/places')
      .query({ limit: '100' })
      .set(bearer(token))
      .expect(200);
    expect(all.body.items.length).toBeGreaterThanOrEqual(40);
    const berlin = all.body.items.find((p: { name: string }) => p.name === 'Berlin');
    expect(berlin).toMatchObject({ city: 'Berlin', country: 'DE', timezone: 'Europe/Berlin' });
    const one = await t.http().get(`/api/places/${berlin.id}`).set(bearer(token)).expect(200);
    expect(one.body).toEqual(berlin);
    await t
      .http()
      .get('/api/places/00000000-0000-4000-8000-000000000000')
      .set(bearer(token))
      .expect(404)
      .expect((res) => expect(res.body.code).toBe('not_found'));
    const noScope = (await createToken(t, user, ['posts:read'])).token;
    const refused = await t.http().get('/api/places').set(bearer(noScope)).expect(403);
    expect(refused.body).toMatchObject({
      code: 'insufficient_scope',
      requiredScopes: ['places:read'],
    });
  });

  it('lets admins add places, validating the time zone, and nobody else', async () => {
    const admin = await signUp(t, { email: 'places-admin@example.com' });
    const headers = { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrfToken };
    const body = {
      name: 'Tempelhofer Feld',
      city: 'Berlin',
      country: 'de',
      latitude: 52.4731,
      longitude: 13.4018,
      timezone: 'Europe/Berlin',
    };
    const created = await t.http().post('/api/admin/places').set(headers).send(body).expect(201);
    expect(created.body).toMatchObject({ name: 'Tempelhofer Feld', country: 'DE' });
    const bad = await t
      .http()
      .post('/api/admin/places')
      .set(headers)
      .send({ ...body, timezone: 'Berlin', latitude: 123 })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('latitude');
    const user = await signUp(t);
    await t
      .http()
      .post('/api/admin/places')
      .set({ Cookie: user.cookie, 'X-CSRF-Token': user.csrfToken })
      .send(body)
      .expect(403);
    expect(
      await t.sql(`SELECT count(*)::int AS n FROM places WHERE name = 'Tempelhofer Feld'`),
    ).toEqual([{ n: 1 }]);
  });
});
