import { ALL_SCOPES, effectiveScopes, type Scope } from '../src/access/scopes.js';
import type { CatalogEndpoint } from '../src/catalog/catalog.types.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { useTestApp } from './support/test-app.js';

/** Codes only the access check answers with (a route's own `forbidden` would be ambiguous). */
const ACCESS_CODES = new Set([
  'unauthenticated',
  'invalid_token',
  'insufficient_scope',
  'session_required',
  'csrf_failed',
  'admin_required',
  'invalid_signature',
  'signature_rejected',
  'forbidden',
]);
const DUMMY_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Can I? (`POST /api/tokens/self/check`) against the running app: for every endpoint of the
 * public catalog and a token holding none of its scopes, exactly its scopes and every scope, the
 * check's answer is what the guard then does with the same token.
 */
describe('can-I: the check agrees with the guard on every catalog endpoint', () => {
  const t = useTestApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  let alice: SignedInUser;
  let endpoints: CatalogEndpoint[];
  const tokens = new Map<string, string>();
  const tokenFor = async (scopes: Scope[]) => {
    const key = [...scopes].sort().join(' ');
    if (!tokens.has(key)) tokens.set(key, (await createToken(t, alice, scopes)).token);
    return tokens.get(key)!;
  };
  const check = async (token: string, body: Record<string, unknown>) => {
    const res = await t.http().post('/api/tokens/self/check').set(bearer(token)).send(body);
    expect(res.status, res.text).toBe(200);
    return res.body as Record<string, unknown>;
  };

  beforeAll(async () => {
    alice = await signUp(t);
    endpoints = (await t.http().get('/api/programmatic/catalog').expect(200)).body
      .endpoints as CatalogEndpoint[];
  });

  it('answers allowed exactly where the guard admits, with the guard’s refusal code as the reason', async () => {
    expect(endpoints.length).toBeGreaterThan(20);
    let compared = 0;
    for (const e of endpoints) {
      const required = e.pat.scopes as Scope[];
      const lacking = ALL_SCOPES.filter((s) => !required.some((r) => effectiveScopes([s]).has(r)));
      const grants: Scope[][] = [
        lacking.length ? [lacking[0]] : [],
        required.length ? required : [ALL_SCOPES[0]],
        ALL_SCOPES,
      ].filter((g) => g.length > 0);
      for (const scopes of grants) {
        const token = await tokenFor(scopes);
        const path = e.path.replace(/\{[^}]+\}/g, DUMMY_ID);
        const byPath = await check(token, { method: e.method, path });
        const byId = await check(token, { endpointId: e.id });
        expect(byId).toEqual(byPath);
        expect(byPath).toMatchObject({
          endpointId: e.id,
          authKind: e.authKind,
          requiredScopes: e.pat.scopes,
        });

        const req = t
          .http()
          [e.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head'](path)
          .set(bearer(token));
        const res = await (['GET', 'HEAD', 'DELETE'].includes(e.method) ? req : req.send({}));
        const code = (res.body as { code?: string } | undefined)?.code;
        const refused = code !== undefined && ACCESS_CODES.has(code) && res.status < 500;
        const label = `${e.id} with [${scopes.join(' ')}]: check said ${JSON.stringify(byPath)}, the call answered ${res.status} ${code ?? ''}`;
        // A webhook route whose provider is not configured here (Stripe without keys) answers
        // 503 before it can judge a signature; a token never signs, so the check says no.
        if (
          e.authKind === 'webhook-ingress' &&
          res.status === 503 &&
          code?.endsWith('_not_configured')
        ) {
          expect(byPath.allowed, label).toBe(false);
          expect(['invalid_signature', 'signature_rejected'], label).toContain(byPath.reason);
          compared++;
          continue;
        }
        expect(byPath.allowed, label).toBe(!refused);
        if (e.method !== 'HEAD') expect(byPath.reason, label).toBe(refused ? code : null);
        if (code === 'insufficient_scope')
          expect(byPath.missingScopes, label).toEqual(
            required.filter((r) => !effectiveScopes(scopes).has(r)),
          );
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(endpoints.length * 2);
  });

  it('answers unknown_route for paths the catalog does not list, and for internal routes', async () => {
    const token = await tokenFor(['posts:read']);
    const unknown = {
      allowed: false,
      endpointId: null,
      authKind: null,
      requiredScopes: [],
      missingScopes: [],
      reason: 'unknown_route',
    };
    expect(await check(token, { method: 'GET', path: '/api/nothing/here' })).toMatchObject(unknown);
    expect(await check(token, { method: 'PUT', path: '/api/posts' })).toMatchObject(unknown);
    expect(await check(token, { endpointId: 'no.such.endpoint' })).toMatchObject(unknown);
  });

  it('tells a token what it lacks, and a session what it may do', async () => {
    const token = await tokenFor(['posts:read']);
    expect(await check(token, { method: 'post', path: '/api/posts?x=1' })).toEqual({
      allowed: false,
      endpointId: 'posts.create',
      authKind: 'user',
      method: 'POST',
      path: '/api/posts',
      requiredScopes: ['posts:write'],
      missingScopes: ['posts:write'],
      reason: 'insufficient_scope',
    });
    expect(await check(token, { endpointId: 'tokens.create' })).toMatchObject({
      allowed: false,
      reason: 'session_required',
    });
    const viaSession = await t
      .http()
      .post('/api/tokens/self/check')
      .set({ Cookie: alice.cookie, 'X-CSRF-Token': alice.csrfToken })
      .send({ endpointId: 'tokens.create' })
      .expect(200);
    expect(viaSession.body).toMatchObject({ allowed: true, reason: null });
  });

  it('refuses a malformed question with 400 naming the field', async () => {
    const token = await tokenFor(['posts:read']);
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'method'],
      [{ method: 'GET' }, 'path'],
      [{ method: 'FETCH', path: '/api/posts' }, 'method'],
      [{ method: 'GET', path: 'api/posts' }, 'path'],
      [{ endpointId: 'posts.feed', method: 'GET', path: '/api/posts' }, 'endpointId'],
      [{ endpointId: 'posts.feed', extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await t.http().post('/api/tokens/self/check').set(bearer(token)).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(
        (res.body.errors as { field: string }[]).map((x) => x.field),
        JSON.stringify(body),
      ).toContain(field);
    }
  });
});
