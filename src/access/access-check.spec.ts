import { readFileSync } from 'node:fs';
import type { CatalogDocument, CatalogEndpoint } from '../catalog/catalog.types.js';
import { RouteLookup } from '../catalog/route-lookup.js';
import { checkAccess } from './access-check.js';
import { decideAccess } from './access-decision.js';
import type { AccessRule } from './access-kinds.js';
import type { Principal } from './principal.js';
import { ALL_SCOPES, effectiveScopes, type Scope } from './scopes.js';

/**
 * The can-I check against the guard's decision for every endpoint of the committed catalog
 * (snapshots/catalog.json, held to the live one by test/catalog.e2e-spec.ts), for a token with
 * none of the endpoint's scopes, exactly its scopes, and every scope.
 * test/agents-can-i.e2e-spec.ts proves the same against the running app.
 */
const catalog = JSON.parse(
  readFileSync(new URL('../../snapshots/catalog.json', import.meta.url), 'utf8'),
) as CatalogDocument;

const user = { id: 'u1', email: 'a@example.com', displayName: 'A', isAdmin: false };
const pat = (scopes: Scope[]): Principal => ({
  kind: 'pat',
  user,
  token: {
    id: 't1',
    name: 'n',
    prefix: 'gpx_pat_abcd',
    scopes,
    createdAt: new Date(0),
    expiresAt: null,
    allowedIps: null,
    resources: null,
    parentId: null,
  },
});

/** The rule the catalog says the endpoint declares (the catalog is built from the declarations). */
function ruleOf(e: CatalogEndpoint): AccessRule {
  if (e.authKind === 'user') return { kind: 'user', scopes: e.pat.scopes as Scope[] };
  if (e.authKind === 'webhook-ingress') return { kind: 'webhook-ingress', verifier: 'any' };
  return { kind: e.authKind };
}

const grants = (e: CatalogEndpoint): [string, Scope[]][] => {
  const required = e.pat.scopes as Scope[];
  const lacking = ALL_SCOPES.filter((s) => !required.some((r) => effectiveScopes([s]).has(r)));
  return [
    ['no scope of it', lacking.length ? [lacking[0]] : []],
    ['exactly its scopes', required.length ? required : [ALL_SCOPES[0]]],
    ['every scope', ALL_SCOPES],
  ];
};

const cases = catalog.endpoints.flatMap((e) =>
  grants(e).map(([label, scopes]) => [e.id, label, e, scopes] as const),
);

describe('can-I agrees with the guard on every catalog endpoint', () => {
  it.each(cases)('%s with a token holding %s', (_id, _label, endpoint, scopes) => {
    const principal = pat(scopes);
    const rule = ruleOf(endpoint);
    const guard = decideAccess(rule, { outcome: 'principal', principal }, endpoint.method);
    const check = checkAccess(rule, principal, endpoint.method);
    expect(check.allowed).toBe(guard === null);
    expect(check.reason).toBe(guard?.code ?? null);
    expect(check.requiredScopes).toEqual(endpoint.pat.scopes);
    if (guard?.code === 'insufficient_scope')
      expect(check.missingScopes).toEqual(guard.extensions?.requiredScopes);
    else expect(check.missingScopes).toEqual([]);
  });

  it('finds every endpoint from a concrete path, literal segments before parameters', () => {
    const lookup = new RouteLookup(catalog.endpoints);
    for (const e of catalog.endpoints) {
      const path = e.path.replace(/\{[^}]+\}/g, 'x1');
      expect(lookup.find(e.method, `${path}?a=1`)?.id, `${e.method} ${path}`).toBe(e.id);
      expect(lookup.byEndpointId(e.id)).toBe(e);
    }
    expect(lookup.find('GET', '/api/tokens/self')?.id).toBe('tokens.self');
    expect(lookup.find('POST', '/api/tokens/self/check/')?.id).toBe('tokens.self_check');
    expect(lookup.find('HEAD', '/api/posts')?.id).toBe('posts.feed');
    expect(lookup.find('GET', '/api/nothing/here')).toBeUndefined();
    expect(lookup.find('PUT', '/api/posts')).toBeUndefined();
  });
});
