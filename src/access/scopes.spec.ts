import {
  ALL_SCOPES,
  describeScopes,
  effectiveScopes,
  isScope,
  missingScopes,
  SCOPE_GROUPS,
  SCOPES,
  type Scope,
} from './scopes.js';

describe('scope registry', () => {
  it('adds what a scope implies, and nothing else', () => {
    expect([...effectiveScopes(['posts:write'])].sort()).toEqual(['posts:read', 'posts:write']);
    expect([...effectiveScopes(['notifications:write'])].sort()).toEqual([
      'notifications:read',
      'notifications:write',
    ]);
    expect([...effectiveScopes(['posts:read'])]).toEqual(['posts:read']);
    expect([...effectiveScopes(['places:read', 'artifacts:write'])].sort()).toEqual([
      'artifacts:write',
      'places:read',
    ]);
    expect(effectiveScopes([]).size).toBe(0);
  });

  it('never implies upwards: a read scope grants no write scope', () => {
    for (const s of ALL_SCOPES.filter((x) => x.endsWith(':read'))) {
      expect([...effectiveScopes([s])], s).toEqual([s]);
    }
  });

  it('holds every scope’s implications in its effective set, each once, each registered', () => {
    for (const s of ALL_SCOPES) {
      const effective = effectiveScopes([s]);
      expect(effective.has(s)).toBe(true);
      for (const implied of SCOPES[s].implies)
        expect(effective.has(implied as Scope), s).toBe(true);
      for (const e of effective) expect(isScope(e), `${s} → ${e}`).toBe(true);
    }
  });

  it('is the same for a grant in any order, with duplicates', () => {
    const a = effectiveScopes(['posts:write', 'places:read', 'posts:read']);
    const b = effectiveScopes(['places:read', 'posts:read', 'posts:write', 'posts:write']);
    expect(a).toEqual(b);
  });

  it('names the required scopes a grant lacks, counting implications', () => {
    expect(missingScopes(['posts:write'], ['posts:read'])).toEqual([]);
    expect(missingScopes(['posts:read'], ['posts:write'])).toEqual(['posts:write']);
    expect(
      missingScopes(['posts:write'], ['posts:read', 'places:read', 'artifacts:write']),
    ).toEqual(['places:read', 'artifacts:write']);
    expect(missingScopes([], [])).toEqual([]);
    expect(missingScopes(ALL_SCOPES, ALL_SCOPES)).toEqual([]);
  });

  it('recognises registered scopes only', () => {
    expect(isScope('posts:read')).toBe(true);
    for (const bad of [
      'posts:admin',
      'POSTS:READ',
      '',
      'toString',
      '__proto__',
      42,
      null,
      undefined,
    ]) {
      expect(isScope(bad), String(bad)).toBe(false);
    }
  });

  it('publishes every scope once, in a known group, with its implications', () => {
    const published = describeScopes();
    expect(published.map((s) => s.name)).toEqual(ALL_SCOPES);
    expect(new Set(ALL_SCOPES).size).toBe(ALL_SCOPES.length);
    for (const s of published) {
      expect(SCOPE_GROUPS).toContain(s.group);
      expect(s.name).toMatch(/^[a-z]+:[a-z]+$/);
      expect(s.description.length).toBeGreaterThan(0);
    }
    expect(published.find((s) => s.name === 'posts:write')?.implies).toEqual(['posts:read']);
  });
});
