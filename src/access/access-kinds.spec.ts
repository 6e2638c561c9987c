import { ERROR_CODES } from '../common/index.js';
import {
  ACCESS_KIND_NAMES,
  ACCESS_KINDS,
  type AccessKind,
  accessErrors,
  AdminOnly,
  BrowserOnly,
  Internal,
  Public,
  RequireScopes,
  TokenOnly,
  WebhookIngress,
} from './access-kinds.js';
import type { Scope } from './scopes.js';

const SAFE = ['GET', 'HEAD'];
const UNSAFE = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** The errors per kind, method and scopes, written out as the catalog documents them. */
const EXPECTED: [AccessKind, string, Scope[], string[]][] = [
  ['public', 'GET', [], []],
  ['public', 'POST', [], []],
  ['user', 'GET', [], ['unauthenticated', 'invalid_token', 'ip_not_allowed', 'forbidden']],
  [
    'user',
    'GET',
    ['posts:read'],
    ['unauthenticated', 'invalid_token', 'ip_not_allowed', 'insufficient_scope', 'forbidden'],
  ],
  [
    'user',
    'POST',
    [],
    ['unauthenticated', 'invalid_token', 'ip_not_allowed', 'csrf_failed', 'forbidden'],
  ],
  [
    'user',
    'DELETE',
    ['posts:write'],
    [
      'unauthenticated',
      'invalid_token',
      'ip_not_allowed',
      'insufficient_scope',
      'csrf_failed',
      'forbidden',
    ],
  ],
  [
    'browser-only',
    'GET',
    [],
    ['unauthenticated', 'invalid_token', 'session_required', 'forbidden'],
  ],
  [
    'browser-only',
    'PATCH',
    [],
    ['unauthenticated', 'invalid_token', 'session_required', 'csrf_failed', 'forbidden'],
  ],
  ['token-only', 'POST', [], ['unauthenticated', 'invalid_token', 'ip_not_allowed', 'forbidden']],
  ['webhook-ingress', 'PUT', [], ['invalid_signature']],
  ['internal', 'GET', [], ['unauthenticated', 'forbidden']],
  ['internal', 'POST', [], ['unauthenticated', 'forbidden']],
  [
    'admin-only',
    'HEAD',
    [],
    ['unauthenticated', 'invalid_token', 'session_required', 'admin_required', 'forbidden'],
  ],
  [
    'admin-only',
    'POST',
    [],
    [
      'unauthenticated',
      'invalid_token',
      'session_required',
      'admin_required',
      'csrf_failed',
      'forbidden',
    ],
  ],
];

describe('the access kinds table', () => {
  it.each(EXPECTED)('%s %s with scopes %j can answer %j', (kind, method, scopes, errors) => {
    expect(accessErrors(kind, { method, scopes })).toEqual(errors);
  });

  it('lists the seven kinds in the order the catalog documents them', () => {
    expect(ACCESS_KIND_NAMES).toEqual([
      'public',
      'user',
      'browser-only',
      'token-only',
      'webhook-ingress',
      'internal',
      'admin-only',
    ]);
  });

  it('asks for a CSRF token exactly where a session is accepted and the method is unsafe', () => {
    for (const kind of ACCESS_KIND_NAMES) {
      for (const method of SAFE)
        expect(accessErrors(kind, { method, scopes: [] })).not.toContain('csrf_failed');
      for (const method of UNSAFE)
        expect(accessErrors(kind, { method, scopes: [] }).includes('csrf_failed')).toBe(
          ACCESS_KINDS[kind].sessions,
        );
    }
  });

  it('refuses tokens with invalid_token only where a credential is looked at, and names real codes', () => {
    for (const kind of ACCESS_KIND_NAMES) {
      const facts = ACCESS_KINDS[kind];
      for (const code of facts.errors) expect(ERROR_CODES).toHaveProperty(code);
      expect(facts.errors.includes('invalid_token')).toBe(facts.tokens || facts.sessions);
      // Only the kinds that take credentials can be called without them.
      expect(facts.errors.includes('unauthenticated')).toBe(facts.security.length > 0);
    }
  });

  it('has each decorator declare its kind and the OpenAPI security of its row', () => {
    const decorators: [AccessKind, MethodDecorator][] = [
      ['public', Public()],
      ['user', RequireScopes('posts:read')],
      ['browser-only', BrowserOnly()],
      ['token-only', TokenOnly()],
      ['webhook-ingress', WebhookIngress('stripe')],
      ['internal', Internal()],
      ['admin-only', AdminOnly()],
    ];
    for (const [kind, decorator] of decorators) {
      const target = { handler() {} };
      const descriptor = Object.getOwnPropertyDescriptor(target, 'handler')!;
      decorator(target, 'handler', descriptor);
      expect(Reflect.getMetadata('gpx:access', descriptor.value)).toMatchObject({ kind });
      const security = (Reflect.getMetadata('swagger/apiSecurity', descriptor.value) ??
        []) as Record<string, string[]>[];
      expect(security).toEqual(ACCESS_KINDS[kind].security.map((scheme) => ({ [scheme]: [] })));
    }
  });
});
