import { bearer, createToken, signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Where the catalog, the OpenAPI document and the behaviour disagreed (issue 11, defect 11). */
describe('contract drift between catalog, OpenAPI and behaviour', () => {
  let t: TestApp;
  const ADMIN = 'drift-admin@example.com';

  beforeAll(async () => {
    t = await createTestApp({ env: { ADMIN_EMAILS: ADMIN } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('documents the upload PUT as raw bytes in the artifact media types, not JSON', async () => {
    const doc = await t.http().get('/api/openapi.json').expect(200);
    const put = doc.body.paths['/api/artifact-uploads/{uploadId}/{secret}'].put;
    const content = put.requestBody.content as Record<string, { schema: unknown }>;
    expect(Object.keys(content)).not.toContain('application/json');
    expect(Object.keys(content)).toEqual(expect.arrayContaining(['application/pdf', 'image/png']));
    for (const media of Object.values(content))
      expect(media.schema).toEqual({ type: 'string', format: 'binary' });
  });

  it('POST /api/posts with an unknown parentPostId answers the not_found it declares', async () => {
    const user = await signUp(t);
    const { token } = await createToken(t, user, ['posts:write']);
    const before = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM posts');
    const res = await t
      .http()
      .post('/api/posts')
      .set(bearer(token))
      .send({
        title: 'A reply',
        body: 'to nothing',
        status: 'PUBLISHED',
        parentPostId: '00000000-0000-4000-8000-000000000000',
      })
      .expect(404);
    expect(res.body).toMatchObject({ code: 'not_found', status: 404 });
    expect(await t.sql('SELECT count(*)::int AS n FROM posts')).toEqual(before);
    const entry = await t
      .http()
      .get('/api/programmatic/catalog/endpoints/posts.create')
      .expect(200);
    expect(entry.body.errors).toContainEqual(
      expect.objectContaining({ status: 404, code: 'not_found' }),
    );
  });

  it('answers problem+json 404 for any unmatched path, and still serves the web UI', async () => {
    for (const path of ['/nope', '/assets/missing.js', '/login/extra', '/api/nope', '/.env']) {
      const res = await t.http().get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        code: 'not_found',
        detail: `No route matches GET ${path}.`,
        requestId: expect.any(String),
      });
    }
    const post = await t.http().post('/somewhere').send({ a: 1 }).expect(404);
    expect(post.body.code).toBe('not_found');
    const login = await t.http().get('/login').expect(200);
    expect(login.headers['content-type']).toMatch(/^text\/html/);
    await t
      .http()
      .get('/assets/app.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
    await t.http().get('/').expect(303).expect('Location', '/login');
  });

  it('the sign-in lockout 429 carries the RateLimit headers of the limit that refused', async () => {
    const user = await signUp(t);
    let last;
    for (let i = 0; i < 11; i++) {
      last = await t
        .http()
        .post('/api/auth/login')
        .send({ email: user.email, password: 'wrong password!' });
    }
    expect(last?.status).toBe(429);
    expect(last?.body.code).toBe('rate_limited');
    const retryAfter = Number(last?.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(last?.headers).toMatchObject({
      'ratelimit-policy': '10;w=900',
      'ratelimit-limit': '10',
      'ratelimit-remaining': '0',
    });
    expect(Number(last?.headers['ratelimit-reset'])).toBe(retryAfter);
  });

  it('serves the admin view of the catalog privately, keyed on the cookie', async () => {
    const admin = await signUp(t, { email: ADMIN });
    for (const method of ['get', 'head'] as const) {
      const res = await t.http()[method]('/api/programmatic/catalog').set('Cookie', admin.cookie);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toMatch(/^private\b/);
      expect(res.headers.vary).toMatch(/\bCookie\b/);
      const filtered = await t
        .http()
        .get('/api/programmatic/catalog?module=account')
        .set('Cookie', admin.cookie);
      expect(filtered.headers['cache-control']).toMatch(/^private\b/);
    }
    const anonymous = await t.http().get('/api/programmatic/catalog').expect(200);
    expect(anonymous.headers['cache-control']).toMatch(/^public\b/);
    const adminOnly = (await t.http().get('/api/programmatic/catalog').set('Cookie', admin.cookie))
      .body as { endpoints: { authKind: string }[] };
    expect(adminOnly.endpoints.some((e) => e.authKind === 'admin-only')).toBe(true);
  });

  it('binds every Arazzo step to the OpenAPI operation it names (operationPath → operationId)', async () => {
    const openApi = (await t.http().get('/api/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const arazzo = (await t.http().get('/api/programmatic/workflows.arazzo.json').expect(200))
      .body as {
      workflows: {
        workflowId: string;
        steps: { stepId: string; operationPath?: string; 'x-gpx-endpoint': string }[];
      }[];
    };
    const bound = arazzo.workflows.flatMap((w) =>
      w.steps
        .filter((s) => s.operationPath)
        .map((s) => {
          const [, pointer] = s.operationPath!.split('#/paths/');
          const [path, method] = pointer.split('/');
          const op = openApi.paths[path.replace(/~1/g, '/').replace(/~0/g, '~')]?.[method];
          return {
            step: `${w.workflowId}.${s.stepId}`,
            operationId: op?.operationId,
            endpoint: s['x-gpx-endpoint'],
          };
        }),
    );
    expect(bound.length).toBeGreaterThan(30);
    for (const b of bound) expect(b.operationId, b.step).toBe(b.endpoint);
  });
});
