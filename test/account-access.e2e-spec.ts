import { createToken, type SignedInUser, signUp } from './support/actors.js';
import { describeRouteMatrix, type RouteCall } from './support/route-matrix.js';
import { useTestApp } from './support/test-app.js';

/**
 * The Account module's access matrix (see test/support/route-matrix.ts): its browser-only routes
 * (sign-out, the session, Settings → API) and its scope-free `user` routes, with a session, with
 * a token, and refused otherwise. Sign-up and sign-in are public: test/auth-and-tokens.e2e-spec.ts.
 */

const t = useTestApp();
let alice: SignedInUser;

beforeAll(async () => {
  alice = await signUp(t);
});

const tokenRow = async (id: string) =>
  (await t.sql('SELECT * FROM personal_access_tokens WHERE id = $1', [id]))[0];
const notificationRow = async (userId: string) =>
  (await t.sql('SELECT * FROM notification_settings WHERE user_id = $1', [userId]))[0];

const cases: Record<string, () => Promise<RouteCall>> = {
  'auth.logout': async () => {
    // Signing out ends the session it is sent with: a fresh user per call keeps alice's.
    const caller = await signUp(t);
    return {
      path: '/api/auth/logout',
      caller,
      check: async () =>
        expect(
          await t.sql('SELECT revoked_at IS NOT NULL AS revoked FROM sessions WHERE user_id = $1', [
            caller.id,
          ]),
        ).toEqual([{ revoked: true }]),
    };
  },
  'auth.session': async () => ({
    path: '/api/auth/session',
    check: (body) =>
      expect(body).toMatchObject({ user: { id: alice.id }, csrfToken: alice.csrfToken }),
  }),
  'me.get': async () => ({
    path: '/api/me',
    check: (body, _res, via) =>
      expect(body).toMatchObject({
        user: { id: alice.id, email: alice.email },
        authenticatedWith: via,
      }),
  }),
  'tokens.list': async () => {
    const { id } = await createToken(t, alice, ['places:read'], { name: 'listed' });
    return {
      path: '/api/tokens',
      check: (body) =>
        expect(body.items).toContainEqual(
          expect.objectContaining({ id, name: 'listed', scopes: ['places:read'] }),
        ),
    };
  },
  'tokens.create': async () => ({
    path: '/api/tokens',
    body: { name: 'matrix token', scopes: ['posts:read'] },
    check: async (body) =>
      expect(await tokenRow(body.id as string)).toMatchObject({
        user_id: alice.id,
        name: 'matrix token',
        scopes: ['posts:read'],
        revoked_at: null,
      }),
  }),
  'tokens.revoke': async () => {
    const { id } = await createToken(t, alice, ['posts:read'], { name: 'to revoke' });
    return {
      path: `/api/tokens/${id}`,
      check: async () => expect((await tokenRow(id)).revoked_at).not.toBeNull(),
    };
  },
  'tokens.self': async () => ({
    path: '/api/tokens/self',
    // A session has no calling token to describe.
    status: { session: 404, pat: 200 },
    check: (body, _res, via) =>
      expect(body).toMatchObject(
        via === 'pat' ? { scopes: ['posts:read'] } : { code: 'not_found' },
      ),
  }),
  'tokens.self_check': async () => ({
    path: '/api/tokens/self/check',
    body: { method: 'GET', path: '/api/posts' },
    status: 200,
    check: (body) =>
      expect(body).toMatchObject({
        allowed: true,
        endpointId: 'posts.feed',
        requiredScopes: ['posts:read'],
        missingScopes: [],
        reason: null,
      }),
  }),
  'tokens.self_rotate': async () => ({
    path: '/api/tokens/self/rotate',
    body: { graceSeconds: 60 },
    // A session has no calling token to rotate.
    status: { session: 404, pat: 201 },
    check: async (body, _res, via) => {
      if (via === 'session') return expect(body).toMatchObject({ code: 'not_found' });
      expect(body.token).toMatch(/^gpx_pat_/);
      expect(await tokenRow(body.id as string)).toMatchObject({ user_id: alice.id });
    },
  }),
  'tokens.rotate': async () => {
    const { id } = await createToken(t, alice, ['posts:read'], { name: 'to rotate' });
    return {
      path: `/api/tokens/${id}/rotate`,
      body: { graceSeconds: 60 },
      check: async (body) => {
        expect(body).toMatchObject({ name: 'to rotate', scopes: ['posts:read'] });
        expect((await tokenRow(id)).replaced_by_id).toBe(body.id);
      },
    };
  },
  'tokens.narrow': async () => {
    const { id } = await createToken(t, alice, ['places:read', 'posts:read'], { name: 'wide' });
    return {
      path: `/api/tokens/${id}`,
      body: { scopes: ['places:read'] },
      check: async (body) => {
        expect(body).toMatchObject({ id, scopes: ['places:read'] });
        expect((await tokenRow(id)).scopes).toEqual(['places:read']);
      },
    };
  },

  // ── Notification settings (notifications:read / notifications:write) ──
  'notifications.get_settings': async () => {
    // A fresh user per call: the first read creates the row, so a refused one is seen not to.
    const caller = await signUp(t);
    return {
      path: '/api/account/notification-settings',
      caller,
      check: async (body) => {
        expect(body).toMatchObject({ email: { pausedAll: false }, push: { enabled: true } });
        expect(await notificationRow(caller.id)).toMatchObject({
          email_paused_all: false,
          push_enabled: true,
        });
      },
    };
  },
  'notifications.update_settings': async () => {
    // Set the opposite first, so each successful call is seen to change it.
    await t.sql(
      `INSERT INTO notification_settings (user_id, email_reminders) VALUES ($1, true)
       ON CONFLICT (user_id) DO UPDATE SET email_reminders = true`,
      [alice.id],
    );
    return {
      path: '/api/account/notification-settings',
      body: { email: { reminders: false } },
      check: async (body) => {
        expect(body).toMatchObject({ email: { reminders: false } });
        expect(await notificationRow(alice.id)).toMatchObject({ email_reminders: false });
      },
    };
  },
  // ── Memberships (issue 12) ────────────────────────────────────────────────────────────────
  ...membershipCases(),
};

/**
 * Join and leave (browser-only, the caller's own membership of a fresh creator), and the
 * member manager (memberships:manage, alice's own members). Each call gets its own fixtures.
 */
function membershipCases(): Record<string, () => Promise<RouteCall>> {
  const membership = async (creatorId: string, memberId: string) =>
    t.sql<{ tags: string[] }>(
      'SELECT tags FROM memberships WHERE creator_id = $1 AND member_id = $2',
      [creatorId, memberId],
    );
  /** A fresh user who has joined alice's membership, holding `tags`. */
  const aliceMember = async (tags: string[] = []) => {
    const member = await signUp(t);
    await t.sql('INSERT INTO memberships (creator_id, member_id, tags) VALUES ($1, $2, $3)', [
      alice.id,
      member.id,
      tags,
    ]);
    return member;
  };
  return {
    'memberships.join': async () => {
      const creator = await signUp(t);
      return {
        path: `/api/creators/${creator.id}/membership`,
        check: async (body) => {
          expect(body).toEqual({ creatorId: creator.id, joinedAt: expect.any(String) });
          expect(await membership(creator.id, alice.id)).toEqual([{ tags: [] }]);
        },
      };
    },
    'memberships.leave': async () => {
      const creator = await signUp(t);
      await t.sql('INSERT INTO memberships (creator_id, member_id) VALUES ($1, $2)', [
        creator.id,
        alice.id,
      ]);
      return {
        path: `/api/creators/${creator.id}/membership`,
        check: async () => expect(await membership(creator.id, alice.id)).toEqual([]),
      };
    },
    'memberships.members.list': async () => {
      const member = await aliceMember(['vip']);
      return {
        path: `/api/memberships/members?q=${encodeURIComponent(member.email.toUpperCase())}`,
        check: (body) =>
          expect(body).toEqual({
            items: [
              {
                memberId: member.id,
                displayName: expect.any(String),
                email: member.email,
                tags: ['vip'],
                joinedAt: expect.any(String),
              },
            ],
            nextCursor: null,
          }),
      };
    },
    'memberships.members.set_tags': async () => {
      const member = await aliceMember(['old']);
      return {
        path: `/api/memberships/members/${member.id}/tags`,
        body: { tags: ['#VIP', ' vip ', 'Early-Backer'] },
        check: async (body) => {
          expect(body).toMatchObject({ memberId: member.id, tags: ['vip', 'early-backer'] });
          expect(await membership(alice.id, member.id)).toEqual([
            { tags: ['vip', 'early-backer'] },
          ]);
        },
      };
    },
  };
}

describeRouteMatrix({
  module: 'account',
  app: t,
  caller: () => alice,
  cases,
  outsideMatrix: {
    'auth.signup': 'public: test/auth-and-tokens.e2e-spec.ts',
    'auth.login': 'public: test/auth-and-tokens.e2e-spec.ts',
    'tokens.report_leaked': 'public: test/token-leak-revocation.e2e-spec.ts',
    'tokens.self_children_create': 'token-only: test/token-children.e2e-spec.ts',
    'tokens.self_children_list': 'token-only: test/token-children.e2e-spec.ts',
  },
});
