import { encodeCursor } from '../src/common/index.js';
import { pendingSchemaChanges } from '../src/database/index.js';
import { ProbeModule } from './support/probe.module.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const PROBLEM = /^application\/problem\+json/;

describe('foundation: HTTP contract, health, OpenAPI, schema', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ extraImports: [ProbeModule] });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('health', () => {
    it('answers liveness without I/O', async () => {
      const res = await t.http().get('/api/health/live').expect(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('answers readiness after pinging the database', async () => {
      const res = await t.http().get('/api/health/ready').expect(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.details.database.status).toBe('up');
    });
  });

  describe('error contract (RFC 9457)', () => {
    it('answers an unknown route with 404 not_found whose requestId equals X-Request-Id', async () => {
      const res = await t.http().get('/api/no/such/route').expect(404);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({
        status: 404,
        code: 'not_found',
        title: 'Not found',
        detail: 'No route matches GET /api/no/such/route.',
      });
      expect(res.body.type).toMatch(/#error-not_found$/);
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
      expect(res.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('keeps a sane incoming X-Request-Id and replaces an unsafe one', async () => {
      const kept = await t
        .http()
        .get('/api/nope')
        .set('X-Request-Id', 'client-req-12345')
        .expect(404);
      expect(kept.headers['x-request-id']).toBe('client-req-12345');
      expect(kept.body.requestId).toBe('client-req-12345');
      const replaced = await t
        .http()
        .get('/api/nope')
        .set('X-Request-Id', 'bad id\twith "quotes"')
        .expect(404);
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers malformed JSON with 400 validation_failed naming the body', async () => {
      const res = await t
        .http()
        .post('/api/test-probe/echo')
        .set('Content-Type', 'application/json')
        .send('{"name": "x",')
        .expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'body' }] });
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
    });

    it('answers a 3 MB JSON body with 413 payload_too_large', async () => {
      const huge = JSON.stringify({ name: 'x'.repeat(3 * 1024 * 1024), count: 1 });
      const res = await t
        .http()
        .post('/api/test-probe/echo')
        .set('Content-Type', 'application/json')
        .send(huge);
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ status: 413, code: 'payload_too_large' });
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
    });

    it('rejects (not strips) an unknown DTO field, naming it', async () => {
      const res = await t
        .http()
        .post('/api/test-probe/echo')
        .send({ name: 'ok', count: 1, isAdmin: true })
        .expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toEqual([{ field: 'isAdmin', message: 'is not a known field' }]);
    });

    it('names every invalid field with a readable message', async () => {
      const res = await t
        .http()
        .post('/api/test-probe/echo')
        .send({ name: '', count: 11 })
        .expect(400);
      const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
      expect(fields).toEqual(['count', 'name']);
      expect(res.body.errors).toContainEqual({
        field: 'count',
        message: 'must not be greater than 10',
      });
    });

    it('accepts a valid body and transforms it into the DTO', async () => {
      const res = await t
        .http()
        .post('/api/test-probe/echo')
        .send({ name: 'ok', count: 3 })
        .expect(200);
      expect(res.body).toEqual({ name: 'ok', count: 3 });
    });

    it('refuses a body in a content type the route does not take with 415', async () => {
      const res = await t
        .http()
        .post('/api/test-probe/echo')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send('name=ok&count=3')
        .expect(415);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('unsupported_media_type');
    });

    it('answers an unexpected error with a generic 500 that leaks nothing', async () => {
      const res = await t.http().get('/api/test-probe/boom').expect(500);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toEqual({
        type: expect.stringMatching(/#error-internal_error$/),
        title: 'Internal server error',
        status: 500,
        code: 'internal_error',
        detail: 'An unexpected error occurred. Quote the requestId when reporting it.',
        requestId: res.headers['x-request-id'],
      });
      const raw = res.text;
      for (const leak of ['SELECT', 'password', 'hunter2', 'users', 'at ', '.ts:'])
        expect(raw).not.toContain(leak);
    });
  });

  describe('pagination query', () => {
    it('defaults the limit and round-trips a cursor', async () => {
      const cursor = encodeCursor([
        '2026-11-28T00:00:00.000Z',
        '8f14e45f-ceea-467f-a0e6-3b5c4b8c1a2d',
      ]);
      const res = await t.http().get('/api/test-probe/page').query({ cursor }).expect(200);
      expect(res.body).toEqual({
        limit: 20,
        cursor: ['2026-11-28T00:00:00.000Z', '8f14e45f-ceea-467f-a0e6-3b5c4b8c1a2d'],
      });
    });

    it.each([
      ['not base64 json', 'abc!'],
      ['wrong arity', encodeCursor(['2026-11-28T00:00:00.000Z'])],
      ['wrong type', encodeCursor(['yesterday', '8f14e45f-ceea-467f-a0e6-3b5c4b8c1a2d'])],
    ])('answers a malformed cursor (%s) with 400 naming cursor', async (_label, cursor) => {
      const res = await t.http().get('/api/test-probe/page').query({ cursor }).expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    });

    it.each([['0'], ['101'], ['ten']])('answers limit=%s with 400 naming limit', async (limit) => {
      const res = await t.http().get('/api/test-probe/page').query({ limit }).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('limit');
    });
  });

  describe('security headers', () => {
    it('sends helmet headers and no X-Powered-By', async () => {
      const res = await t.http().get('/api/health/live').expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-powered-by']).toBeUndefined();
    });
  });

  describe('OpenAPI', () => {
    it('serves an OpenAPI 3.1 document with operation ids', async () => {
      const res = await t.http().get('/api/openapi.json').expect(200);
      expect(res.body.openapi).toBe('3.1.0');
      expect(res.body.paths['/api/health/live'].get.operationId).toBe('health.live');
    });

    it('serves the docs UI', async () => {
      const res = await t.http().get('/api/docs').redirects(1).expect(200);
      expect(res.text).toContain('swagger-ui');
    });
  });

  describe('schema', () => {
    it('has entities and migrations that agree (generating a migration yields nothing)', async () => {
      const { up } = await pendingSchemaChanges(t.db);
      expect(up).toEqual([]);
    });

    it('records applied migrations in schema_migrations and never synchronizes', async () => {
      expect(t.db.options.synchronize).toBe(false);
      const rows = await t.sql<{ name: string }>('SELECT name FROM schema_migrations');
      expect(Array.isArray(rows)).toBe(true);
    });
  });
});
