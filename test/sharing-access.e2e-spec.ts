import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { describeRouteMatrix, type RouteCall } from './support/route-matrix.js';
import { useTestApp } from './support/test-app.js';

/**
 * The Sharing module's access matrix (see test/support/route-matrix.ts): every sharing route the
 * catalog lists for a user, called by its owner with a session and with a PAT holding exactly
 * sharing:manage, and refused without it, changing nothing. The public routes (redirects, the
 * gallery, images) are covered in sharing.e2e-spec.ts.
 */

const t = useTestApp();
let alice: SignedInUser;
let aliceSharing: string;
let alicePosts: string;
let n = 0;

beforeAll(async () => {
  alice = await signUp(t);
  aliceSharing = (await createToken(t, alice, ['sharing:manage'])).token;
  alicePosts = (await createToken(t, alice, ['posts:write'])).token;
});

const uniqueCode = () => `matrix-${Date.now()}-${++n}`;
const newPath = async () =>
  (
    await t
      .http()
      .post('/api/sharing/referral-paths')
      .set(bearer(aliceSharing))
      .send({ target: { profile: true }, code: uniqueCode() })
      .expect(201)
  ).body as { id: string; code: string; url: string };
const newQrCode = async () =>
  (
    await t
      .http()
      .post('/api/sharing/qr-codes')
      .set(bearer(aliceSharing))
      .send({ target: { referralPathId: (await newPath()).id }, style: 'classic' })
      .expect(201)
  ).body as { id: string };
const pathRow = async (id: string) =>
  (await t.sql('SELECT * FROM referral_paths WHERE id = $1', [id]))[0];
const qrRow = async (id: string) =>
  (await t.sql('SELECT id, owner_id, hidden, url FROM qr_codes WHERE id = $1', [id]))[0];

const cases: Record<string, () => Promise<RouteCall>> = {
  'sharing.referral_paths.create': async () => {
    const post = (
      await t
        .http()
        .post('/api/posts')
        .set(bearer(alicePosts))
        .send({ title: 'shared', body: 'b', status: 'PUBLISHED' })
        .expect(201)
    ).body as { id: string };
    const code = uniqueCode();
    return {
      path: '/api/sharing/referral-paths',
      body: { target: { postId: post.id }, code, coSellerShareBps: 250 },
      check: async (body) => {
        expect(body).toMatchObject({
          code,
          url: `http://127.0.0.1:3000/go/${code}`,
          target: { postId: post.id },
          coSellerShareBps: 250,
          visits: 0,
        });
        expect(await pathRow(body.id as string)).toMatchObject({
          owner_id: alice.id,
          post_id: post.id,
          code,
          co_seller_share_bps: 250,
        });
      },
    };
  },
  'sharing.referral_paths.list': async () => {
    const path = await newPath();
    return {
      path: '/api/sharing/referral-paths?limit=1',
      check: (body) => {
        expect((body.items as { id: string }[]).map((i) => i.id)).toEqual([path.id]);
        expect(body.nextCursor).toEqual(expect.any(String));
      },
    };
  },
  'sharing.referral_paths.delete': async () => {
    const path = await newPath();
    const qr = (
      await t
        .http()
        .post('/api/sharing/qr-codes')
        .set(bearer(aliceSharing))
        .send({ target: { referralPathId: path.id }, style: 'classic' })
        .expect(201)
    ).body as { id: string };
    return {
      path: `/api/sharing/referral-paths/${path.id}`,
      check: async () => {
        expect(await pathRow(path.id)).toBeUndefined();
        expect(await qrRow(qr.id)).toBeUndefined(); // its QR codes go with it
      },
    };
  },
  'sharing.qr_codes.create': async () => {
    const path = await newPath();
    return {
      path: '/api/sharing/qr-codes',
      body: { target: { referralPathId: path.id }, style: 'classic' },
      check: async (body) => {
        expect(body).toMatchObject({ url: path.url, referralPathId: path.id, hidden: false });
        expect(await qrRow(body.id as string)).toMatchObject({
          owner_id: alice.id,
          url: path.url,
        });
      },
    };
  },
  'sharing.qr_codes.list': async () => {
    const qr = await newQrCode();
    return {
      path: '/api/sharing/qr-codes?limit=1',
      check: (body) => expect((body.items as { id: string }[]).map((i) => i.id)).toEqual([qr.id]),
    };
  },
  'sharing.qr_codes.update': async () => {
    const qr = await newQrCode();
    return {
      path: `/api/sharing/qr-codes/${qr.id}`,
      body: { hidden: true },
      check: async (body) => {
        expect(body).toMatchObject({ id: qr.id, hidden: true });
        expect((await qrRow(qr.id)).hidden).toBe(true);
      },
    };
  },
};

describeRouteMatrix({
  module: 'sharing',
  app: t,
  caller: () => alice,
  cases,
  outsideMatrix: {
    'sharing.qr_codes.gallery': 'public: sharing.e2e-spec.ts',
    'sharing.qr_codes.image_png': 'public (owner-only when hidden): sharing.e2e-spec.ts',
    'sharing.qr_codes.image_svg': 'public (owner-only when hidden): sharing.e2e-spec.ts',
    'sharing.referral_redirect': 'public: sharing.e2e-spec.ts',
    'sharing.post_short_link': 'public: sharing.e2e-spec.ts',
  },
});
