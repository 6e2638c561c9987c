import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import type { Response } from 'supertest';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { databaseState } from './support/route-matrix.js';
import { useTestApp } from './support/test-app.js';

/**
 * Sharing end to end: a referral path's QR code decodes to its /go/{code} URL, following it lands
 * on the target with the attribution kept and the visit counted; post short links; the public
 * gallery and who may fetch images; non-owners changing nothing; bad input named by field.
 */

// jsqr is a CommonJS bundle; depending on the loader its function is the default or inside it.
type Decode = typeof jsQRModule.default;
const jsQR: Decode =
  (jsQRModule as unknown as { default?: Decode }).default ?? (jsQRModule as unknown as Decode);

const BASE = 'http://127.0.0.1:3000';
const t = useTestApp();
let alice: SignedInUser;
let bob: SignedInUser;
let aliceSharing: string;
let alicePosts: string;
let aliceNoSharing: string;
let bobSharing: string;

beforeAll(async () => {
  alice = await signUp(t);
  bob = await signUp(t);
  aliceSharing = (await createToken(t, alice, ['sharing:manage'])).token;
  alicePosts = (await createToken(t, alice, ['posts:write'])).token;
  aliceNoSharing = (await createToken(t, alice, ['posts:read'])).token;
  bobSharing = (await createToken(t, bob, ['sharing:manage'])).token;
});

const post = async (extra: Record<string, unknown> = {}) =>
  (
    await t
      .http()
      .post('/api/posts')
      .set(bearer(alicePosts))
      .send({ title: 'shared post', body: 'b', status: 'PUBLISHED', ...extra })
      .expect(201)
  ).body as { id: string; referenceId: string };
const createPath = (token: string, body: Record<string, unknown>) =>
  t.http().post('/api/sharing/referral-paths').set(bearer(token)).send(body);
const createQr = (token: string, body: Record<string, unknown>) =>
  t.http().post('/api/sharing/qr-codes').set(bearer(token)).send(body);
/** The fields a validation problem names, each once (a field may fail several rules). */
const fieldsOf = (res: Response) => [
  ...new Set((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)),
];

/** Sends a refused request and holds it to its status, code, named fields and an unchanged database. */
async function expectRefused(
  send: () => PromiseLike<Response>,
  status: number,
  code: string,
  fields?: string[],
): Promise<Response> {
  const before = await databaseState(t);
  const res = await send();
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.code).toBe(code);
  if (fields) expect(fieldsOf(res)).toEqual(fields);
  expect(await databaseState(t)).toEqual(before);
  return res;
}

function decodeQr(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

describe('a referral path’s QR code, scanned and followed', () => {
  it('decodes to the /go/{code} URL, which lands on the post with ?ref, the cookie set and the visit counted', async () => {
    const target = await post();
    const path = await createPath(aliceSharing, {
      target: { postId: target.id },
      code: 'Spring-Launch',
      coSellerShareBps: 1500,
    }).expect(201);
    expect(path.body).toMatchObject({
      code: 'Spring-Launch',
      url: `${BASE}/go/Spring-Launch`,
      targetUrl: `${BASE}/posts/${target.id}`,
      visits: 0,
    });

    const qr = await createQr(aliceSharing, {
      target: { referralPathId: path.body.id },
      style: 'classic',
    }).expect(201);
    expect(qr.body).toMatchObject({
      url: `${BASE}/go/Spring-Launch`,
      style: 'classic',
      artStyle: null,
      hidden: false,
      pngUrl: `${BASE}/api/sharing/qr-codes/${qr.body.id}/image.png`,
      svgUrl: `${BASE}/api/sharing/qr-codes/${qr.body.id}/image.svg`,
    });

    const png = await t
      .http()
      .get(`/api/sharing/qr-codes/${qr.body.id}/image.png`)
      .buffer(true)
      .expect(200)
      .expect('Content-Type', 'image/png');
    const scanned = decodeQr(png.body as Buffer);
    expect(scanned).toBe(`${BASE}/go/Spring-Launch`);

    const svg = await t
      .http()
      .get(`/api/sharing/qr-codes/${qr.body.id}/image.svg`)
      .expect(200)
      .expect('Content-Type', /^image\/svg\+xml/);
    expect(String(svg.text || svg.body)).toContain('<svg');

    // Follow the scanned URL through the app, twice: each visit is counted.
    const go = await t.http().get(new URL(scanned!).pathname).expect(302);
    expect(go.headers.location).toBe(`${BASE}/posts/${target.id}?ref=Spring-Launch`);
    const cookie = ([] as string[]).concat(go.headers['set-cookie'] ?? []).join('\n');
    expect(cookie).toMatch(/gpx_ref=Spring-Launch/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Max-Age=2592000/);
    expect(go.headers['cache-control']).toBe('no-store');
    // Codes match ignoring case; the ref keeps the code as its owner spelled it.
    const again = await t.http().get('/go/spring-launch').expect(302);
    expect(again.headers.location).toBe(`${BASE}/posts/${target.id}?ref=Spring-Launch`);
    expect(await t.sql('SELECT visits FROM referral_paths WHERE id = $1', [path.body.id])).toEqual([
      { visits: 2 },
    ]);
    const listed = await t
      .http()
      .get('/api/sharing/referral-paths')
      .set(bearer(aliceSharing))
      .expect(200);
    expect(listed.body.items.find((p: { id: string }) => p.id === path.body.id).visits).toBe(2);
  });

  it('lands a profile path on the creator page, and generates a code when none is given', async () => {
    const path = await createPath(aliceSharing, { target: { profile: true } }).expect(201);
    expect(path.body.code).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(path.body).toMatchObject({ target: { profile: true }, coSellerShareBps: 0 });
    const go = await t.http().get(`/go/${path.body.code}`).expect(302);
    expect(go.headers.location).toBe(`${BASE}/creators/${alice.id}?ref=${path.body.code}`);
  });

  it('counts concurrent visits without losing any', async () => {
    const path = await createPath(aliceSharing, { target: { profile: true } }).expect(201);
    const visits = await Promise.all(
      Array.from({ length: 20 }, () => t.http().get(`/go/${path.body.code}`)),
    );
    expect(visits.map((r) => r.status)).toEqual(Array(20).fill(302));
    expect(await t.sql('SELECT visits FROM referral_paths WHERE id = $1', [path.body.id])).toEqual([
      { visits: 20 },
    ]);
  });

  it('answers 404 problem+json for an unknown or deleted code, counting nothing', async () => {
    await expectRefused(() => t.http().get('/go/no-such-code'), 404, 'not_found');
    const path = await createPath(aliceSharing, { target: { profile: true } }).expect(201);
    await t
      .http()
      .delete(`/api/sharing/referral-paths/${path.body.id}`)
      .set(bearer(aliceSharing))
      .expect(204);
    const res = await expectRefused(() => t.http().get(`/go/${path.body.code}`), 404, 'not_found');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('makes a QR code for a URL on this site, and refuses one elsewhere (target.url)', async () => {
    const ok = await createQr(aliceSharing, {
      target: { url: `${BASE}/posts/abc?x=1` },
      style: 'classic',
    }).expect(201);
    const png = await t
      .http()
      .get(`/api/sharing/qr-codes/${ok.body.id}/image.png`)
      .buffer(true)
      .expect(200);
    expect(decodeQr(png.body as Buffer)).toBe(`${BASE}/posts/abc?x=1`);
    for (const url of [
      'https://evil.example/phish',
      'http://127.0.0.1:3001/go/x',
      'https://127.0.0.1:3000/go/x',
      '/go/relative',
      'javascript:alert(1)',
      'http://user:pw@127.0.0.1:3000/',
    ])
      await expectRefused(
        () => createQr(aliceSharing, { target: { url }, style: 'classic' }),
        400,
        'validation_failed',
        ['target.url'],
      );
  });
});

describe('post short links /r/{referenceId}', () => {
  it('redirects a public post’s reference id to its page', async () => {
    const p = await post();
    const res = await t.http().get(`/r/${p.referenceId}`).expect(302);
    expect(res.headers.location).toBe(`${BASE}/posts/${p.id}`);
  });

  it('answers 404 for an unknown reference id, a malformed one and a draft', async () => {
    const draft = await post({ status: 'DRAFT' });
    const membersOnly = await post({ audienceTags: ['insiders'] });
    for (const ref of ['ZZZZZZZZZZ', 'short', draft.referenceId, membersOnly.referenceId])
      await expectRefused(() => t.http().get(`/r/${ref}`), 404, 'not_found');
  });
});

describe('AI-styled QR codes without a provider', () => {
  it('refuses style "ai" with 503 qr_art_unavailable and stores nothing', async () => {
    const path = await createPath(aliceSharing, { target: { profile: true } }).expect(201);
    const res = await expectRefused(
      () =>
        createQr(aliceSharing, {
          target: { referralPathId: path.body.id },
          style: 'ai',
          artStyle: 'watercolor',
        }),
      503,
      'qr_art_unavailable',
    );
    expect(res.body.detail).toMatch(/classic/);
  });

  it('checks the input first: a custom art style needs a prompt, ai needs an artStyle, classic takes neither', async () => {
    const target = { url: `${BASE}/` };
    const refuse = (body: Record<string, unknown>, fields: string[]) =>
      expectRefused(
        () => createQr(aliceSharing, { target, ...body }),
        400,
        'validation_failed',
        fields,
      );
    await refuse({ style: 'ai', artStyle: 'custom' }, ['prompt']);
    await refuse({ style: 'ai', artStyle: 'custom', prompt: '   ' }, ['prompt']);
    await refuse({ style: 'ai' }, ['artStyle']);
    await refuse({ style: 'ai', artStyle: 'cubist' }, ['artStyle']);
    await refuse({ style: 'classic', artStyle: 'neon' }, ['artStyle']);
    await refuse({ style: 'fancy' }, ['style']);
    await expectRefused(
      () => createQr(aliceSharing, { target: {}, style: 'classic' }),
      400,
      'validation_failed',
      ['target'],
    );
    await expectRefused(
      () =>
        createQr(aliceSharing, {
          target: { url: `${BASE}/`, referralPathId: '00000000-0000-4000-8000-000000000000' },
          style: 'classic',
        }),
      400,
      'validation_failed',
      ['target'],
    );
  });
});

describe('referral path input', () => {
  it('refuses bad codes, shares outside 0–10000, a bad target and an unknown post, naming the field', async () => {
    const refuse = (body: Record<string, unknown>, fields: string[]) =>
      expectRefused(() => createPath(aliceSharing, body), 400, 'validation_failed', fields);
    const profile = { profile: true };
    for (const bad of ['ab', 'x'.repeat(41), 'has space', 'ünï', 'a/b', 42])
      await refuse({ target: profile, code: bad }, ['code']);
    for (const bad of [-1, 10001, 1.5, '100'])
      await refuse({ target: profile, coSellerShareBps: bad }, ['coSellerShareBps']);
    await refuse({ target: {} }, ['target']);
    await refuse({ target: { profile: false } }, ['target']);
    await refuse({ target: { profile: true, postId: (await post()).id } }, ['target']);
    await refuse({}, ['target']);
    await refuse({ target: { postId: 'not-a-uuid' } }, ['target.postId']);
    // null inside a nested object is refused like a top-level one (it once reached the database).
    await refuse({ target: { postId: null } }, ['target.postId']);
    await refuse({ target: { postId: '00000000-0000-4000-8000-000000000000' } }, ['target.postId']);
    // Someone else's draft is as unknown as a missing post.
    const draft = await post({ status: 'DRAFT' });
    await expectRefused(
      () => createPath(bobSharing, { target: { postId: draft.id } }),
      400,
      'validation_failed',
      ['target.postId'],
    );
    // Boundaries are accepted.
    await createPath(aliceSharing, { target: profile, code: 'abc', coSellerShareBps: 0 }).expect(
      201,
    );
    await createPath(aliceSharing, {
      target: profile,
      code: 'A_b-'.repeat(10),
      coSellerShareBps: 10000,
    }).expect(201);
  });

  it('refuses a taken code with 409 naming it, ignoring case, also across owners', async () => {
    await createPath(aliceSharing, { target: { profile: true }, code: 'TakenCode' }).expect(201);
    for (const [token, taken] of [
      [aliceSharing, 'TakenCode'],
      [bobSharing, 'takencode'],
    ]) {
      const res = await expectRefused(
        () => createPath(token, { target: { profile: true }, code: taken }),
        409,
        'conflict',
      );
      expect(res.body.detail).toContain(`"${taken}"`);
    }
  });
});

describe('someone else’s links and codes', () => {
  let path: { id: string; code: string };
  let qr: { id: string };

  beforeAll(async () => {
    path = (await createPath(aliceSharing, { target: { profile: true } }).expect(201)).body;
    qr = (
      await createQr(aliceSharing, {
        target: { referralPathId: path.id },
        style: 'classic',
      }).expect(201)
    ).body;
  });

  it('does not list, delete, hide or encode them for another user (404/400, nothing changed)', async () => {
    const lists = await Promise.all(
      ['referral-paths', 'qr-codes'].map((what) =>
        t.http().get(`/api/sharing/${what}`).set(bearer(bobSharing)).expect(200),
      ),
    );
    for (const list of lists)
      expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(path.id);
    expect(lists[1].body.items.map((i: { id: string }) => i.id)).not.toContain(qr.id);

    await expectRefused(
      () => t.http().delete(`/api/sharing/referral-paths/${path.id}`).set(bearer(bobSharing)),
      404,
      'not_found',
    );
    await expectRefused(
      () =>
        t
          .http()
          .patch(`/api/sharing/qr-codes/${qr.id}`)
          .set('Cookie', bob.cookie)
          .set('X-CSRF-Token', bob.csrfToken)
          .send({ hidden: true }),
      404,
      'not_found',
    );
    await expectRefused(
      () => createQr(bobSharing, { target: { referralPathId: path.id }, style: 'classic' }),
      400,
      'validation_failed',
      ['target.referralPathId'],
    );
  });

  it('shows a visible code in the gallery to anyone, without owner details, and hides it at once', async () => {
    const gallery = async () =>
      (await t.http().get('/api/sharing/qr-codes/gallery?limit=100').expect(200)).body as {
        items: Record<string, unknown>[];
      };
    const shown = (await gallery()).items.find((i) => i.id === qr.id);
    expect(shown).toEqual({
      id: qr.id,
      url: `${BASE}/go/${path.code}`,
      style: 'classic',
      artStyle: null,
      pngUrl: `${BASE}/api/sharing/qr-codes/${qr.id}/image.png`,
      svgUrl: `${BASE}/api/sharing/qr-codes/${qr.id}/image.svg`,
      createdAt: expect.any(String),
    });
    const anonymous = await t.http().get(`/api/sharing/qr-codes/${qr.id}/image.png`).expect(200);
    expect(anonymous.headers['cache-control']).toBe('public, max-age=60');

    const hidden = await t
      .http()
      .patch(`/api/sharing/qr-codes/${qr.id}`)
      .set(bearer(aliceSharing))
      .send({ hidden: true })
      .expect(200);
    expect(hidden.body).toMatchObject({ id: qr.id, hidden: true });
    expect((await gallery()).items.map((i) => i.id)).not.toContain(qr.id);

    // A hidden code's images: its owner (session, or a token with sharing:manage) only.
    for (const format of ['png', 'svg']) {
      const image = `/api/sharing/qr-codes/${qr.id}/image.${format}`;
      await expectRefused(() => t.http().get(image), 404, 'not_found');
      await expectRefused(() => t.http().get(image).set('Cookie', bob.cookie), 404, 'not_found');
      await expectRefused(() => t.http().get(image).set(bearer(bobSharing)), 404, 'not_found');
      await expectRefused(() => t.http().get(image).set(bearer(aliceNoSharing)), 404, 'not_found');
      const own = await t.http().get(image).set('Cookie', alice.cookie).expect(200);
      expect(own.headers['cache-control']).toBe('private, no-store');
      await t.http().get(image).set(bearer(aliceSharing)).expect(200);
    }

    await t
      .http()
      .patch(`/api/sharing/qr-codes/${qr.id}`)
      .set(bearer(aliceSharing))
      .send({ hidden: false })
      .expect(200);
    expect((await gallery()).items.map((i) => i.id)).toContain(qr.id);
    await t.http().get(`/api/sharing/qr-codes/${qr.id}/image.svg`).expect(200);
  });

  it('answers 404 for an unknown QR code image', async () => {
    await expectRefused(
      () => t.http().get('/api/sharing/qr-codes/00000000-0000-4000-8000-000000000000/image.png'),
      404,
      'not_found',
    );
  });
});

describe('the catalog', () => {
  it('lists the create_referral_link workflow and qr_art_unavailable on the QR route', async () => {
    const catalog = (await t.http().get('/api/programmatic/catalog').expect(200)).body as {
      workflows: { id: string; steps: { endpoint: string }[] }[];
      endpoints: { id: string; path: string; errors: { code: string }[] }[];
    };
    const workflow = catalog.workflows.find((w) => w.id === 'create_referral_link');
    expect(workflow?.steps.map((s) => s.endpoint).slice(0, 2)).toEqual([
      'sharing.referral_paths.create',
      'sharing.qr_codes.create',
    ]);
    const create = catalog.endpoints.find((e) => e.id === 'sharing.qr_codes.create');
    expect(create?.errors.map((e) => e.code)).toContain('qr_art_unavailable');
    expect(catalog.endpoints.find((e) => e.id === 'sharing.referral_redirect')?.path).toBe(
      '/go/{code}',
    );
  });
});

describe('on an https PUBLIC_BASE_URL', () => {
  const https = useTestApp({ env: { PUBLIC_BASE_URL: 'https://share.example' } });

  it('marks the attribution cookie Secure and builds every URL on that base', async () => {
    const user = await signUp(https);
    const token = (await createToken(https, user, ['sharing:manage'])).token;
    const path = await https
      .http()
      .post('/api/sharing/referral-paths')
      .set(bearer(token))
      .send({ target: { profile: true }, code: 'secure-one' })
      .expect(201);
    expect(path.body.url).toBe('https://share.example/go/secure-one');
    const go = await https.http().get('/go/secure-one').expect(302);
    expect(go.headers.location).toBe(`https://share.example/creators/${user.id}?ref=secure-one`);
    expect(([] as string[]).concat(go.headers['set-cookie'] ?? []).join('\n')).toMatch(
      /gpx_ref=secure-one;.*Secure/,
    );
    // The same URL over plain http is another origin: refused.
    const refused = await https
      .http()
      .post('/api/sharing/qr-codes')
      .set(bearer(token))
      .send({ target: { url: 'http://share.example/go/secure-one' }, style: 'classic' })
      .expect(400);
    expect(fieldsOf(refused)).toEqual(['target.url']);
  });
});
