import { decideAccess, type Refusal } from './access-decision.js';
import type { AccessRule } from './access-kinds.js';
import type { Identification } from './identification.js';
import { generatePat, patDisplayPrefix } from './pat-format.js';
import type { PrincipalUser, TokenIdentity } from './principal.js';
import type { Scope } from './scopes.js';

const CSRF = 'c'.repeat(43);
const member: PrincipalUser = { id: 'u1', email: 'm@x.test', displayName: 'M', isAdmin: false };
const admin: PrincipalUser = { id: 'u2', email: 'a@x.test', displayName: 'A', isAdmin: true };
const unknownToken = generatePat();

function token(scopes: Scope[]): TokenIdentity {
  return {
    id: 't1',
    name: 'ci',
    prefix: 'gpx_pat_AbCd',
    scopes,
    createdAt: new Date(0),
    expiresAt: null,
    allowedIps: null,
    resources: null,
    parentId: null,
  };
}

function session(user: PrincipalUser, presentedCsrf: string | undefined): Identification {
  return {
    outcome: 'principal',
    principal: { kind: 'session', user, sessionId: 's1', csrfToken: CSRF },
    presentedCsrf,
  };
}

const callers = {
  none: { outcome: 'none' },
  staleSession: { outcome: 'stale_session' },
  malformedToken: { outcome: 'invalid_token', presented: 'not-a-token' },
  unknownToken: { outcome: 'invalid_token', presented: unknownToken },
  sessionUser: session(member, CSRF),
  sessionAdmin: session(admin, CSRF),
  patWithScopes: {
    outcome: 'principal',
    principal: { kind: 'pat', user: member, token: token(['posts:write']) },
  },
  patWithoutScopes: {
    outcome: 'principal',
    principal: { kind: 'pat', user: member, token: token([]) },
  },
  internal: { outcome: 'principal', principal: { kind: 'internal' } },
} satisfies Record<string, Identification>;
type CallerName = keyof typeof callers;

const rules = {
  public: { kind: 'public' },
  'user(posts:read)': { kind: 'user', scopes: ['posts:read'] },
  'user()': { kind: 'user', scopes: [] },
  'browser-only': { kind: 'browser-only' },
  'token-only': { kind: 'token-only' },
  'admin-only': { kind: 'admin-only' },
  internal: { kind: 'internal' },
  'webhook-ingress': { kind: 'webhook-ingress', verifier: 'stripe' },
} satisfies Record<string, AccessRule>;
type RuleName = keyof typeof rules;

/** The refusal code (or null: admitted) for every access kind × caller, on a safe method. */
const SAFE: Record<RuleName, Record<CallerName, string | null>> = {
  public: {
    none: null,
    staleSession: null,
    malformedToken: null,
    unknownToken: null,
    sessionUser: null,
    sessionAdmin: null,
    patWithScopes: null,
    patWithoutScopes: null,
    internal: null,
  },
  'user(posts:read)': {
    none: 'unauthenticated',
    staleSession: 'unauthenticated',
    malformedToken: 'invalid_token',
    unknownToken: 'invalid_token',
    sessionUser: null,
    sessionAdmin: null,
    patWithScopes: null, // posts:write implies posts:read
    patWithoutScopes: 'insufficient_scope',
    internal: 'forbidden',
  },
  'user()': {
    none: 'unauthenticated',
    staleSession: 'unauthenticated',
    malformedToken: 'invalid_token',
    unknownToken: 'invalid_token',
    sessionUser: null,
    sessionAdmin: null,
    patWithScopes: null,
    patWithoutScopes: null,
    internal: 'forbidden',
  },
  'browser-only': {
    none: 'unauthenticated',
    staleSession: 'unauthenticated',
    malformedToken: 'invalid_token',
    unknownToken: 'invalid_token',
    sessionUser: null,
    sessionAdmin: null,
    patWithScopes: 'session_required',
    patWithoutScopes: 'session_required',
    internal: 'forbidden',
  },
  'token-only': {
    none: 'unauthenticated',
    staleSession: 'unauthenticated',
    malformedToken: 'invalid_token',
    unknownToken: 'invalid_token',
    sessionUser: 'forbidden',
    sessionAdmin: 'forbidden',
    patWithScopes: null,
    patWithoutScopes: null,
    internal: 'forbidden',
  },
  'admin-only': {
    none: 'unauthenticated',
    staleSession: 'unauthenticated',
    malformedToken: 'invalid_token',
    unknownToken: 'invalid_token',
    sessionUser: 'admin_required',
    sessionAdmin: null,
    patWithScopes: 'session_required',
    patWithoutScopes: 'session_required',
    internal: 'forbidden',
  },
  internal: {
    none: 'unauthenticated',
    staleSession: 'forbidden',
    malformedToken: 'forbidden',
    unknownToken: 'forbidden',
    sessionUser: 'forbidden',
    sessionAdmin: 'forbidden',
    patWithScopes: 'forbidden',
    patWithoutScopes: 'forbidden',
    internal: null,
  },
  'webhook-ingress': {
    none: 'invalid_signature',
    staleSession: 'invalid_signature',
    malformedToken: 'invalid_signature',
    unknownToken: 'invalid_signature',
    sessionUser: 'invalid_signature',
    sessionAdmin: 'invalid_signature',
    patWithScopes: 'invalid_signature',
    patWithoutScopes: 'invalid_signature',
    internal: 'invalid_signature',
  },
};

/** Where an unsafe method differs: a session admitted on a safe method must show its CSRF token. */
function unsafeExpectation(rule: RuleName, caller: CallerName): string | null {
  const safe = SAFE[rule][caller];
  const sessionRoute = rule !== 'public' && rule !== 'internal' && rule !== 'webhook-ingress';
  const isSession = caller === 'sessionUser' || caller === 'sessionAdmin';
  return safe === null && sessionRoute && isSession ? 'csrf_failed' : safe;
}

const codeOf = (refusal: Refusal | null) => refusal?.code ?? null;
const cases = Object.keys(rules).flatMap((rule) =>
  Object.keys(callers).map((caller) => [rule as RuleName, caller as CallerName] as const),
);

describe('decideAccess: every access kind × caller', () => {
  it.each(cases)('%s × %s on GET, HEAD and OPTIONS', (rule, caller) => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(codeOf(decideAccess(rules[rule], callers[caller], method))).toBe(SAFE[rule][caller]);
    }
  });

  it.each(cases)(
    '%s × %s on POST, PUT, PATCH and DELETE with the right CSRF token',
    (rule, caller) => {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        expect(codeOf(decideAccess(rules[rule], callers[caller], method))).toBe(SAFE[rule][caller]);
      }
    },
  );

  it.each(cases)('%s × %s on unsafe methods without the CSRF token', (rule, caller) => {
    const withoutCsrf: Identification =
      callers[caller].outcome === 'principal' && callers[caller].principal.kind === 'session'
        ? { ...callers[caller], presentedCsrf: undefined }
        : callers[caller];
    const withWrongCsrf: Identification =
      withoutCsrf.outcome === 'principal' && withoutCsrf.principal.kind === 'session'
        ? { ...withoutCsrf, presentedCsrf: CSRF.slice(1) + 'd' }
        : withoutCsrf;
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(codeOf(decideAccess(rules[rule], withoutCsrf, method))).toBe(
        unsafeExpectation(rule, caller),
      );
      expect(codeOf(decideAccess(rules[rule], withWrongCsrf, method))).toBe(
        unsafeExpectation(rule, caller),
      );
    }
  });
});

describe('decideAccess: what each refusal carries', () => {
  const user = rules['user(posts:read)'];

  it('unauthenticated: a Bearer challenge, wording by whether a session had ended', () => {
    expect(decideAccess(user, callers.none, 'GET')).toEqual({
      code: 'unauthenticated',
      detail: 'Sign in, or send Authorization: Bearer gpx_pat_… with a personal access token.',
      headers: { 'WWW-Authenticate': 'Bearer realm="GetPaidX"' },
    });
    expect(decideAccess(user, callers.staleSession, 'GET')).toEqual({
      code: 'unauthenticated',
      detail: 'The session has ended; sign in again.',
      headers: { 'WWW-Authenticate': 'Bearer realm="GetPaidX"' },
    });
  });

  it('invalid_token: audits a well-formed token by its display prefix, never garbage', () => {
    const challenge = { 'WWW-Authenticate': 'Bearer realm="GetPaidX", error="invalid_token"' };
    expect(decideAccess(user, callers.unknownToken, 'GET')).toEqual({
      code: 'invalid_token',
      detail: 'The token is unknown, expired or revoked.',
      headers: challenge,
      audit: { reason: 'invalid_token', extra: { tokenPrefix: patDisplayPrefix(unknownToken) } },
    });
    expect(decideAccess(user, callers.malformedToken, 'GET')).toEqual({
      code: 'invalid_token',
      detail:
        'The bearer token is malformed: personal access tokens look like gpx_pat_ followed by 38 letters and digits.',
      headers: challenge,
    });
  });

  it('insufficient_scope: names required, granted and missing scopes', () => {
    const rule: AccessRule = { kind: 'user', scopes: ['posts:read', 'places:read'] };
    const caller: Identification = {
      outcome: 'principal',
      principal: { kind: 'pat', user: member, token: token(['posts:read']) },
    };
    expect(decideAccess(rule, caller, 'GET')).toEqual({
      code: 'insufficient_scope',
      detail: 'This token lacks places:read. Create a token with the scopes this route needs.',
      extensions: { requiredScopes: ['posts:read', 'places:read'], grantedScopes: ['posts:read'] },
      headers: {
        'WWW-Authenticate':
          'Bearer realm="GetPaidX", error="insufficient_scope", scope="posts:read places:read"',
        'X-Accepted-Scopes': 'posts:read, places:read',
      },
      audit: {
        reason: 'insufficient_scope',
        extra: { requiredScopes: ['posts:read', 'places:read'], missingScopes: ['places:read'] },
      },
    });
  });

  it('session_required, admin_required and csrf_failed are audited by reason', () => {
    expect(decideAccess(rules['browser-only'], callers.patWithScopes, 'GET')?.audit).toEqual({
      reason: 'session_required',
    });
    expect(decideAccess(rules['admin-only'], callers.sessionUser, 'POST')).toEqual({
      code: 'admin_required',
      detail: 'This route is for admins.',
      audit: { reason: 'admin_required' },
    });
    expect(decideAccess(user, session(member, undefined), 'DELETE')).toEqual({
      code: 'csrf_failed',
      detail:
        'Send the X-CSRF-Token header from GET /api/auth/session with cookie-authenticated writes.',
      audit: { reason: 'csrf_failed' },
    });
  });

  it('the service credential outside internal routes is refused without an audit row', () => {
    expect(decideAccess(user, callers.internal, 'GET')).toEqual({
      code: 'forbidden',
      detail: 'The service credential is accepted on internal routes only.',
    });
  });
});

describe('decideAccess: internal routes and webhook ingress', () => {
  const internal = rules.internal;

  it('internal routes answer by what was presented instead of the service credential', () => {
    expect(decideAccess(internal, { outcome: 'service_credential_unconfigured' }, 'GET')).toEqual({
      code: 'forbidden',
      detail: 'Internal routes are closed: no service credential is configured.',
    });
    expect(decideAccess(internal, { outcome: 'foreign_credentials' }, 'POST')).toEqual({
      code: 'forbidden',
      detail: 'Internal routes take the service credential only, never a token or a session.',
    });
    expect(decideAccess(internal, { outcome: 'invalid_service_credential' }, 'POST')).toEqual({
      code: 'unauthenticated',
      detail: 'The service credential is not valid.',
    });
    expect(decideAccess(internal, callers.none, 'POST')).toEqual({
      code: 'unauthenticated',
      detail: 'Send the service credential in X-Internal-Token.',
    });
    expect(decideAccess(internal, callers.internal, 'POST')).toBeNull();
  });

  it('webhook ingress admits a verified signature only', () => {
    const webhook = rules['webhook-ingress'];
    expect(decideAccess(webhook, { outcome: 'signature', valid: true }, 'POST')).toBeNull();
    expect(decideAccess(webhook, { outcome: 'signature', valid: false }, 'POST')).toEqual({
      code: 'invalid_signature',
      detail: 'The request signature is missing or does not verify.',
    });
  });
});

describe('decideAccess: per-token constraints (allowedIps)', () => {
  const restricted = (allowedIps: string[], scopes: Scope[] = ['posts:write']): Identification => ({
    outcome: 'principal',
    principal: { kind: 'pat', user: member, token: { ...token(scopes), allowedIps } },
  });
  const user = rules['user(posts:read)'];

  it.each([
    ['an IPv4 address inside the range', ['203.0.113.0/24'], '203.0.113.9', null],
    ['an IPv4 address outside the range', ['203.0.113.0/24'], '198.51.100.1', 'ip_not_allowed'],
    ['an IPv4 client seen as IPv4-mapped IPv6', ['203.0.113.0/24'], '::ffff:203.0.113.9', null],
    ['an IPv6 address inside the range', ['2001:db8::/32'], '2001:db8:1::5', null],
    ['an IPv6 address outside the range', ['2001:db8::/32'], '2001:dead::1', 'ip_not_allowed'],
    ['an IPv4 client against an IPv6-only list', ['2001:db8::/32'], '10.0.0.1', 'ip_not_allowed'],
    ['one of several ranges', ['10.0.0.0/8', '2001:db8::/32'], '10.9.8.7', null],
    ['a single address', ['192.0.2.7/32'], '192.0.2.7', null],
    ['an unknown client address', ['192.0.2.7/32'], null, 'ip_not_allowed'],
  ] as const)('%s', (_name, allowed, ip, expected) => {
    expect(codeOf(decideAccess(user, restricted([...allowed]), 'GET', ip))).toBe(expected);
  });

  it('refuses before the scope check, so a token from the wrong place learns nothing more', () => {
    const refusal = decideAccess(user, restricted(['10.0.0.0/8'], []), 'GET', '192.0.2.1');
    expect(refusal).toEqual({
      code: 'ip_not_allowed',
      detail: 'This token may be used only from 10.0.0.0/8; this request came from 192.0.2.1.',
      extensions: { clientIp: '192.0.2.1' },
      audit: {
        reason: 'ip_not_allowed',
        extra: { clientIp: '192.0.2.1', allowedIps: ['10.0.0.0/8'] },
      },
    });
  });

  it('applies on token-only routes; browser-only and admin-only still say session_required', () => {
    const caller = restricted(['10.0.0.0/8']);
    expect(codeOf(decideAccess(rules['token-only'], caller, 'POST', '192.0.2.1'))).toBe(
      'ip_not_allowed',
    );
    expect(codeOf(decideAccess(rules['browser-only'], caller, 'GET', '192.0.2.1'))).toBe(
      'session_required',
    );
    expect(codeOf(decideAccess(rules['admin-only'], caller, 'GET', '192.0.2.1'))).toBe(
      'session_required',
    );
    expect(codeOf(decideAccess(rules.public, caller, 'GET', '192.0.2.1'))).toBeNull();
  });

  it('an unrestricted token and a session are never refused for their address', () => {
    expect(decideAccess(user, callers.patWithScopes, 'GET', '192.0.2.1')).toBeNull();
    expect(decideAccess(user, callers.sessionUser, 'GET', '192.0.2.1')).toBeNull();
  });

  it('a can-I check (address not given) does not judge the allowlist', () => {
    expect(decideAccess(user, restricted(['10.0.0.0/8']), 'GET')).toBeNull();
  });
});
