import { IncomingMessage, type Server, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { helmetOptions } from '../src/bootstrap.js';
import { bearer, createToken, signUp } from './support/actors.js';
import { useTestApp } from './support/test-app.js';

/**
 * The per-request stack was cut for speed (#17): helmet's headers precomputed, no cookie parsing
 * without a cookie, no UI router for /api, the content-type check a guard. These pin down that
 * nothing it guarded was lost.
 */
describe('request pipeline', () => {
  const t = useTestApp();

  /** What helmet itself writes with the app's options, on a bare Express app. */
  async function helmetsOwnHeaders(): Promise<Record<string, string>> {
    const bare = express();
    bare.use(helmet(helmetOptions(t.config)));
    bare.get('/', (_req, res) => res.send('ok'));
    const res = await request(bare).get('/');
    const expressOwn = new Set([
      'content-type',
      'content-length',
      'etag',
      'date',
      'connection',
      'x-powered-by',
    ]);
    return Object.fromEntries(
      Object.entries(res.headers as Record<string, string>).filter(([k]) => !expressOwn.has(k)),
    );
  }

  it('sends every security header helmet would, with the same values, on API and page responses', async () => {
    const expected = await helmetsOwnHeaders();
    // The headers this deployment must have (plain http: no HSTS, no upgrade-insecure-requests).
    expect(Object.keys(expected).sort()).toEqual(
      [
        'content-security-policy',
        'cross-origin-opener-policy',
        'cross-origin-resource-policy',
        'origin-agent-cluster',
        'referrer-policy',
        'x-content-type-options',
        'x-dns-prefetch-control',
        'x-download-options',
        'x-frame-options',
        'x-permitted-cross-domain-policies',
        'x-xss-protection',
      ].sort(),
    );
    for (const path of ['/api/health/live', '/api/nothing-here', '/login']) {
      const res = await t.http().get(path);
      for (const [name, value] of Object.entries(expected)) {
        // Pages carry their own stricter CSP (src/web); everything else is helmet's.
        if (path === '/login' && name === 'content-security-policy') continue;
        expect(res.headers[name], `${path} ${name}`).toBe(value);
      }
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("builds each request and response with Express's prototypes already in place, so Express has none to change", async () => {
    // Express's per-request Object.setPrototypeOf made Node 20's V8 promote most of what each
    // request allocated (src/common/http/express-adapter.ts); the app's server avoids it.
    const server: Server = t.running.app.getHttpServer();
    const expressApp: Express = t.running.app.getHttpAdapter().getInstance();
    const seen: { request: boolean; response: boolean; streams: boolean }[] = [];
    const onRequest = (req: IncomingMessage, res: ServerResponse) =>
      seen.push({
        request: Object.getPrototypeOf(req) === expressApp.request,
        response: Object.getPrototypeOf(res) === expressApp.response,
        streams: req instanceof IncomingMessage && res instanceof ServerResponse,
      });
    server.prependListener('request', onRequest);
    try {
      const alice = await signUp(t);
      const { token } = await createToken(t, alice, ['posts:read']);
      seen.length = 0;
      const live = await t.http().get('/api/health/live').expect(200);
      expect(live.body).toEqual({ status: 'ok' });
      // Express's own request and response methods (req.get, res.status, res.json) at work.
      const me = await t.http().get('/api/me').set(bearer(token)).expect(200);
      expect(me.body.user.email).toBe(alice.email);
      const posted = await t
        .http()
        .post('/api/posts')
        .set(bearer(token))
        .send({ title: 'x', body: 'y' })
        .expect(403);
      expect(posted.headers['content-type']).toMatch(/^application\/problem\+json/);
    } finally {
      server.removeListener('request', onRequest);
    }
    const built = { request: true, response: true, streams: true };
    expect(seen).toEqual([built, built, built]);
  });

  it('sends HSTS when the public URL is https', async () => {
    const expected = helmetOptions({ ...t.config, secureCookies: true });
    const bare = express();
    bare.use(helmet(expected));
    bare.get('/', (_req, res) => res.send('ok'));
    const res = await request(bare).get('/');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });

  it('decides access before the content type: an anonymous text/plain POST is a 401, not a 415', async () => {
    const before = await t.sql('SELECT count(*)::int AS n FROM posts');
    const res = await t
      .http()
      .post('/api/posts')
      .set('Content-Type', 'text/plain')
      .send('title=x')
      .expect(401);
    expect(res.body.code).toBe('unauthenticated');
    const alice = await signUp(t);
    const { token } = await createToken(t, alice, ['posts:write']);
    const refused = await t
      .http()
      .post('/api/posts')
      .set(bearer(token))
      .set('Content-Type', 'text/plain')
      .send('title=x')
      .expect(415);
    expect(refused.body.code).toBe('unsupported_media_type');
    expect(await t.sql('SELECT count(*)::int AS n FROM posts')).toEqual(before);
  });

  it('reads the session cookie when there is one, and does without when there is none', async () => {
    const alice = await signUp(t);
    const me = await t.http().get('/api/me').set('Cookie', alice.cookie).expect(200);
    expect(me.body.user?.email ?? me.body.email).toBe(alice.email);
    await t.http().get('/api/me').expect(401);
    // The UI router still serves its pages, and is not consulted for /api.
    await t.http().get('/login').expect(200).expect('content-type', /html/);
    await t.http().get('/').expect(303).expect('location', '/login');
    await t
      .http()
      .get('/')
      .set('Cookie', alice.cookie)
      .expect(303)
      .expect('location', '/settings/api');
  });

  it('generates no ETag for JSON answers (no SHA-1 over every body), while the catalog keeps its strong one', async () => {
    const alice = await signUp(t);
    const { token } = await createToken(t, alice, ['posts:read']);
    for (const path of ['/api/health/live', '/api/me', '/api/posts?limit=20']) {
      const res = await t.http().get(path).set(bearer(token)).expect(200);
      expect(res.headers.etag).toBeUndefined();
    }
    const catalog = await t.http().get('/api/programmatic/catalog').expect(200);
    expect(catalog.headers.etag).toMatch(/^"[^"]+"$/);
    await t
      .http()
      .get('/api/programmatic/catalog')
      .set('If-None-Match', catalog.headers.etag)
      .expect(304);
  });

  it('answers a token request the same whether its verification comes from the database or from memory', async () => {
    const alice = await signUp(t);
    const { token } = await createToken(t, alice, ['posts:read']);
    // The first request reads the database, the next ones the verification held in memory.
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await t.http().get('/api/me').set(bearer(token)));
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        user: expect.objectContaining({ email: alice.email }),
        authenticatedWith: 'pat',
        scopes: ['posts:read'],
      });
      expect(res.headers['x-token-scopes']).toBe('posts:read');
      expect(res.headers['x-accepted-scopes']).toBe('');
      expect(res.headers['ratelimit-limit']).toBeDefined();
    }
    // Three requests, three counts: the synchronous path still counts each one.
    const remaining = answers.map((r) => Number(r.headers['ratelimit-remaining']));
    expect(remaining[1]).toBe(remaining[0] - 1);
    expect(remaining[2]).toBe(remaining[0] - 2);
  });
});
