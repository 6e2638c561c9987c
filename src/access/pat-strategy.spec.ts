import type { Request } from 'express';
import { CredentialStore, type ResolvedSession, type VerifiedToken } from './credentials.js';
import { authenticatePat, PatStrategy } from './pat.strategy.js';

const TOKEN = 'gpx_pat_' + 'a'.repeat(38);
const VERIFIED = {
  user: { id: 'u1', email: 'ada@example.com', displayName: 'Ada', isAdmin: false },
  token: { id: 't1', scopes: ['posts:read'] },
} as unknown as VerifiedToken;

/** A credential store whose answers the test sets: what memory holds, what the database says. */
class ScriptedStore extends CredentialStore {
  memory: VerifiedToken | null | undefined = undefined;
  database: () => Promise<VerifiedToken | null> = () => Promise.resolve(null);
  databaseReads = 0;
  resolveSession(): Promise<ResolvedSession | null> {
    return Promise.resolve(null);
  }
  verifyToken(): Promise<VerifiedToken | null> {
    this.databaseReads++;
    return this.database();
  }
  verifyTokenFromMemory(): VerifiedToken | null | undefined {
    return this.memory;
  }
  noteTokenUse(): void {}
}

const request = (authorization?: string) => ({ headers: { authorization } }) as Request;

describe('authenticatePat (the passport-http-bearer strategy on the hot path)', () => {
  it('answers synchronously, without the database, for a verification held in memory', () => {
    const store = new ScriptedStore();
    store.memory = VERIFIED;
    const outcome = authenticatePat(new PatStrategy(store), request(`Bearer ${TOKEN}`));
    expect(outcome).not.toBeInstanceOf(Promise);
    expect(outcome).toEqual({ presented: TOKEN, verified: VERIFIED });
    expect(store.databaseReads).toBe(0);
  });

  it('answers synchronously when memory knows the token is dead (null), still without I/O', () => {
    const store = new ScriptedStore();
    store.memory = null;
    expect(authenticatePat(new PatStrategy(store), request(`Bearer ${TOKEN}`))).toEqual({
      presented: TOKEN,
      verified: null,
    });
    expect(store.databaseReads).toBe(0);
  });

  it('waits for the database when memory cannot tell, and reports what it said', async () => {
    const store = new ScriptedStore();
    store.database = () => Promise.resolve(VERIFIED);
    const outcome = authenticatePat(new PatStrategy(store), request(`Bearer ${TOKEN}`));
    expect(outcome).toBeInstanceOf(Promise);
    await expect(outcome).resolves.toEqual({ presented: TOKEN, verified: VERIFIED });
    expect(store.databaseReads).toBe(1);
  });

  it('rejects with the database error (the guard turns it into a 500, never an admission)', async () => {
    const store = new ScriptedStore();
    store.database = () => Promise.reject(new Error('connection refused'));
    await expect(
      authenticatePat(new PatStrategy(store), request(`Bearer ${TOKEN}`)),
    ).rejects.toThrow('connection refused');
  });

  it.each([
    ['two spaces after the scheme', `Bearer  ${TOKEN}`],
    ['a token and a trailing word', `Bearer ${TOKEN} extra`],
    ['the scheme alone', 'Bearer'],
  ])('refuses before parsing, synchronously and without a lookup: %s', (_name, header) => {
    const store = new ScriptedStore();
    store.memory = VERIFIED;
    expect(authenticatePat(new PatStrategy(store), request(header))).toEqual({
      presented: null,
      verified: null,
    });
    expect(store.databaseReads).toBe(0);
  });

  it('keeps concurrent attempts apart: a slow lookup settles its own request only', async () => {
    const store = new ScriptedStore();
    let release!: (v: VerifiedToken | null) => void;
    store.database = () => new Promise((r) => (release = r));
    const strategy = new PatStrategy(store);
    const slow = authenticatePat(strategy, request(`Bearer ${TOKEN}`));
    store.memory = null;
    const fast = authenticatePat(strategy, request(`Bearer gpx_pat_${'b'.repeat(38)}`));
    expect(fast).toEqual({ presented: `gpx_pat_${'b'.repeat(38)}`, verified: null });
    release(VERIFIED);
    await expect(slow).resolves.toEqual({ presented: TOKEN, verified: VERIFIED });
  });
});
