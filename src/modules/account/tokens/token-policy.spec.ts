import { evaluateTokenPolicy, staleRevocationAt, type TokenPolicy } from './token-policy.js';

const DAY = 24 * 3600 * 1000;
const from = new Date('2026-01-01T00:00:00Z');
const inDays = (days: number) => new Date(from.getTime() + days * DAY);
const open: TokenPolicy = {
  maxLifetimeDays: null,
  expiryRequired: false,
  adminOnlyScopes: [],
  staleAfterDays: 365,
};
const grant = (over: Partial<Parameters<typeof evaluateTokenPolicy>[1]> = {}) => ({
  scopes: ['posts:read' as const],
  expiresAt: null,
  from,
  ownerIsAdmin: false,
  ...over,
});
const rules = (policy: TokenPolicy, g = grant()) =>
  evaluateTokenPolicy(policy, g).map((v) => v.rule);

describe('evaluateTokenPolicy', () => {
  it('an open policy allows any grant, no expiry included', () => {
    expect(rules(open)).toEqual([]);
  });

  it('expiry_required refuses a grant without expiry, naming expiresAt', () => {
    const policy = { ...open, expiryRequired: true };
    expect(evaluateTokenPolicy(policy, grant())).toEqual([
      expect.objectContaining({ rule: 'expiry_required', field: 'expiresAt', limit: true }),
    ]);
    expect(rules(policy, grant({ expiresAt: inDays(1) }))).toEqual([]);
  });

  it('max_lifetime allows exactly the maximum, refuses a millisecond more and no expiry', () => {
    const policy = { ...open, maxLifetimeDays: 30 };
    expect(rules(policy, grant({ expiresAt: inDays(30) }))).toEqual([]);
    const over = evaluateTokenPolicy(
      policy,
      grant({ expiresAt: new Date(inDays(30).getTime() + 1) }),
    );
    expect(over).toEqual([
      expect.objectContaining({ rule: 'max_lifetime', field: 'expiresAt', limit: 30 }),
    ]);
    expect(rules(policy, grant({ expiresAt: null }))).toEqual(['max_lifetime']);
  });

  it('measures the lifetime from the grant start (creation for existing tokens)', () => {
    const policy = { ...open, maxLifetimeDays: 30 };
    // Made 100 days ago with 120 days to live: a 120-day lifetime, over 30 however little is left.
    expect(rules(policy, grant({ from: inDays(-100), expiresAt: inDays(20) }))).toEqual([
      'max_lifetime',
    ]);
  });

  it('admin_only_scope names each admin-only scope a non-admin holds; an admin may hold them', () => {
    const policy: TokenPolicy = { ...open, adminOnlyScopes: ['payouts:manage', 'billing:manage'] };
    const scopes = ['posts:read', 'payouts:manage', 'billing:manage'] as const;
    expect(evaluateTokenPolicy(policy, grant({ scopes: [...scopes] }))).toEqual([
      expect.objectContaining({
        rule: 'admin_only_scope',
        field: 'scopes',
        limit: 'payouts:manage',
      }),
      expect.objectContaining({
        rule: 'admin_only_scope',
        field: 'scopes',
        limit: 'billing:manage',
      }),
    ]);
    expect(rules(policy, grant({ scopes: [...scopes], ownerIsAdmin: true }))).toEqual([]);
  });

  it('reports every broken rule, expiry rules first', () => {
    const policy: TokenPolicy = {
      maxLifetimeDays: 7,
      expiryRequired: true,
      adminOnlyScopes: ['posts:read'],
      staleAfterDays: 0,
    };
    expect(rules(policy)).toEqual(['expiry_required', 'max_lifetime', 'admin_only_scope']);
  });
});

describe('staleRevocationAt', () => {
  it('is N days after the last use, or 14 days after a late warning, whichever is later', () => {
    expect(staleRevocationAt(from, inDays(351), 365)).toEqual(inDays(365));
    expect(staleRevocationAt(from, inDays(360), 365)).toEqual(inDays(374));
  });
});
