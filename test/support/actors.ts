import type TestAgent from 'supertest/lib/agent.js';
import type { Scope } from '../../src/access/scopes.js';
import type { TokenView, UserView } from '../../src/modules/account/index.js';
import type { TestApp } from './test-app.js';

export interface SignedInUser {
  id: string;
  email: string;
  password: string;
  cookie: string;
  csrfToken: string;
}

let counter = 0;

/** Signs a new user up through the real API; returns the session cookie and CSRF token. */
export async function signUp(
  t: TestApp,
  overrides: { email?: string; password?: string } = {},
): Promise<SignedInUser> {
  counter += 1;
  const email = overrides.email ?? `user${counter}-${Date.now()}@example.com`;
  const password = overrides.password ?? 'correct horse battery staple';
  const res = await t
    .http()
    .post('/api/auth/signup')
    .send({ email, password, displayName: `User ${counter}` });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${res.text}`);
  const body = res.body as { user: UserView; csrfToken: string };
  return {
    id: body.user.id,
    email,
    password,
    cookie: sessionCookie(res.headers['set-cookie']),
    csrfToken: body.csrfToken,
  };
}

export function sessionCookie(setCookie: string | string[] | undefined): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const cookie = list.find((c) => c.startsWith('gpx_session='));
  if (!cookie) throw new Error('no session cookie set');
  return cookie.split(';')[0];
}

/** Creates a PAT through Settings → API (browser session + CSRF), as a real user would. */
export async function createToken(
  t: TestApp,
  user: SignedInUser,
  scopes: Scope[],
  extra: { name?: string; expiresAt?: string } = {},
): Promise<{ token: string; id: string; body: TokenView & { token: string } }> {
  const res = await t
    .http()
    .post('/api/tokens')
    .set('Cookie', user.cookie)
    .set('X-CSRF-Token', user.csrfToken)
    .send({
      name: extra.name ?? 'test token',
      scopes,
      ...(extra.expiresAt ? { expiresAt: extra.expiresAt } : {}),
    });
  if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${res.text}`);
  const body = res.body as TokenView & { token: string };
  return { token: body.token, id: body.id, body };
}

export function asSession(agent: TestAgent, user: SignedInUser, withCsrf = true) {
  void agent;
  return { Cookie: user.cookie, ...(withCsrf ? { 'X-CSRF-Token': user.csrfToken } : {}) };
}

export function bearer(token: string) {
  return { Authorization: `Bearer ${token}` };
}
