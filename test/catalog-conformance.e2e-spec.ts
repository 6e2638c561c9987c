import { ALL_SCOPES, effectiveScopes, type Scope } from '../src/access/scopes.js';
import { bearer, createToken, signUp } from './support/actors.js';
import { ProbeModule } from './support/probe.module.js';
import { useTestApp } from './support/test-app.js';
import type { CatalogEndpoint } from '../src/catalog/catalog.types.js';

/** The catalog's endpoint, its scopes read as the registry's (the catalog serves them as strings). */
type Endpoint = Omit<CatalogEndpoint, 'pat'> & {
  pat: Omit<CatalogEndpoint['pat'], 'scopes'> & { scopes: Scope[] };
};

const DUMMY_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Walks the catalog and checks each claim against the running app: what the catalog says about
 * tokens, sessions and public access is exactly what the guard does.
 */
describe('catalog conformance: every claim holds against the running app', () => {
  const t = useTestApp({
    extraImports: [ProbeModule],
    env: { ADMIN_EMAILS: 'conformance-admin@example.com', RATE_LIMIT_PER_MINUTE: '100000' },
  });
  let endpoints: Endpoint[];
  let tokenFor: (scopes: Scope[]) => Promise<string>;
  let countsBefore: unknown;
  const counts = () =>
    t.sql(
      `SELECT (SELECT count(*) FROM posts)::int AS posts, (SELECT count(*) FROM places)::int AS places,
              -- POST /api/tokens/self/rotate with {} is a real rotation (its body is optional):
              -- tokens it makes are the one write a probe may cause.
              (SELECT count(*) FROM personal_access_tokens WHERE rotated_at IS NULL)::int AS tokens, (SELECT count(*) FROM users)::int AS users`,
    );

  beforeAll(async () => {
    const admin = await signUp(t, { email: 'conformance-admin@example.com' });
    endpoints = (
      await t.http().get('/api/programmatic/catalog').set('Cookie', admin.cookie).expect(200)
    ).body.endpoints;
    const user = await signUp(t);
    const cache = new Map<string, string>();
    // Every token the walk needs is made up front, so the tables must not change after this.
    for (const e of endpoints.filter((x) => x.pat.supported)) {
      const unrelated = ALL_SCOPES.find(
        (s) => !e.pat.scopes.some((r) => effectiveScopes([s]).has(r)),
      )!;
      for (const scopes of [
        [unrelated],
        e.pat.scopes.length ? e.pat.scopes : ['places:read' as Scope],
      ]) {
        const key = [...scopes].sort().join(' ');
        if (!cache.has(key)) cache.set(key, (await createToken(t, user, scopes)).token);
      }
    }
    const all = [...ALL_SCOPES].sort().join(' ');
    cache.set(all, (await createToken(t, user, ALL_SCOPES)).token);
    countsBefore = await counts();
    tokenFor = async (scopes) => {
      const key = [...scopes].sort().join(' ');
      if (!cache.has(key)) cache.set(key, (await createToken(t, user, scopes)).token);
      return cache.get(key)!;
    };
  });

  const call = (e: Endpoint, headers: Record<string, string>) => {
    const path = e.path.replace(/\{[^}]+\}/g, DUMMY_ID);
    const req = t
      .http()
      [e.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head'](path)
      .set(headers);
    return e.method === 'GET' || e.method === 'HEAD' || e.method === 'DELETE' ? req : req.send({});
  };

  it('refuses a PAT lacking the scopes with insufficient_scope naming them, and admits one holding exactly them', async () => {
    const scoped = endpoints.filter((e) => e.pat.supported);
    expect(scoped.length).toBeGreaterThan(3);
    for (const e of scoped) {
      if (e.pat.scopes.length > 0) {
        const unrelated = ALL_SCOPES.find(
          (s) => !e.pat.scopes.some((r) => effectiveScopes([s]).has(r)),
        )!;
        const lacking = await call(e, bearer(await tokenFor([unrelated])));
        expect(lacking.status, e.id).toBe(403);
        expect(lacking.body.code, e.id).toBe('insufficient_scope');
        expect(lacking.body.requiredScopes, e.id).toEqual(e.pat.scopes);
      }
      const exact = await call(
        e,
        bearer(await tokenFor(e.pat.scopes.length ? e.pat.scopes : ['places:read'])),
      );
      expect([401, 403], `${e.id} answered ${exact.status} ${exact.text}`).not.toContain(
        exact.status,
      );
      // An outside service this app has no configuration for answers its documented 503 (the
      // code the endpoint declares, e.g. stripe_not_configured); anything else 5xx is a fault.
      if (exact.status === 503)
        expect(
          e.errors.map((x) => x.code),
          `${e.id} answered an undeclared 503 ${exact.text}`,
        ).toContain(exact.body.code);
      else expect(exact.status, e.id).toBeLessThan(500);
    }
  });

  it('refuses a PAT on every browser-only and admin-only endpoint with session_required', async () => {
    const token = await tokenFor(ALL_SCOPES);
    const browserOnly = endpoints.filter(
      (e) => e.authKind === 'browser-only' || e.authKind === 'admin-only',
    );
    expect(browserOnly.length).toBeGreaterThan(3);
    for (const e of browserOnly) {
      const res = await call(e, bearer(token));
      expect(res.status, e.id).toBe(403);
      if (e.method !== 'HEAD') expect(res.body.code, e.id).toBe('session_required');
    }
  });

  it('answers every public endpoint without credentials, and never with a 5xx', async () => {
    // ProbeController_boom exists to prove the 500 contract; it is the one designed failure.
    const open = endpoints.filter(
      (e) => e.authKind === 'public' && e.id !== 'ProbeController_boom',
    );
    expect(open.length).toBeGreaterThan(3);
    for (const e of open) {
      const res = await call(e, {});
      expect([401, 403], `${e.id} answered ${res.status}`).not.toContain(res.status);
      expect(res.status, `${e.id} answered ${res.status} ${res.text}`).toBeLessThan(500);
    }
  });

  it('leaves no trace of any probing call: no post, place or token was written', async () => {
    expect(await counts()).toEqual(countsBefore);
  });
});
