import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactsService } from '../src/modules/content/artifacts/artifacts.service.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(200, 7),
]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(300, 65)]);

describe('content: replacing a post’s artifact (request a slot, PUT the bytes, commit)', () => {
  let t: TestApp;
  let alice: SignedInUser;
  let aliceArtifacts: string;
  let aliceRead: string;
  let bobAll: string;
  let postId: string;

  beforeAll(async () => {
    t = await createTestApp();
    alice = await signUp(t);
    aliceArtifacts = (await createToken(t, alice, ['artifacts:write', 'posts:write'])).token;
    aliceRead = (await createToken(t, alice, ['posts:read'])).token;
    bobAll = (await createToken(t, await signUp(t), ['artifacts:write', 'posts:read'])).token;
    postId = (
      await t
        .http()
        .post('/api/posts')
        .set(bearer(aliceArtifacts))
        .send({ title: 'deliverable', body: 'b', status: 'PUBLISHED' })
        .expect(201)
    ).body.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const slot = (body: Record<string, unknown>, token = aliceArtifacts, post = postId) =>
    t
      .http()
      .post(`/api/posts/${post}/artifact-uploads`)
      .set(bearer(token))
      .send({ filename: 'file.png', contentType: 'image/png', size: PNG.length, ...body });
  const put = (url: string, bytes: Buffer, type: string) =>
    t.http().put(new URL(url).pathname).set('Content-Type', type).send(bytes);
  const commit = (uploadId: string, token = aliceArtifacts) =>
    t.http().post(`/api/posts/${postId}/artifact-uploads/${uploadId}/commit`).set(bearer(token));
  const artifactsDir = () => join(t.config.dataDir, 'artifacts');

  it('uploads without a token through the URL, commits, and serves the bytes', async () => {
    const created = await slot({ filename: 'poster.png' }).expect(201);
    expect(created.body.uploadUrl).toMatch(
      /\/api\/artifact-uploads\/[0-9a-f-]{36}\/[A-Za-z0-9_-]{43}$/,
    );
    const received = await put(created.body.uploadUrl, PNG, 'image/png').expect(200);
    expect(received.body).toMatchObject({ size: PNG.length, status: 'uploaded' });
    const committed = await commit(created.body.uploadId).expect(200);
    expect(committed.body).toMatchObject({
      postId,
      filename: 'poster.png',
      contentType: 'image/png',
      size: PNG.length,
      sha256: received.body.sha256,
    });
    const meta = await t
      .http()
      .get(`/api/posts/${postId}/artifact`)
      .set(bearer(aliceRead))
      .expect(200);
    expect(meta.body.sha256).toBe(received.body.sha256);
    const download = await t
      .http()
      .get(`/api/posts/${postId}/artifact/content`)
      .set(bearer(bobAll))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.headers['content-disposition']).toContain('poster.png');
    expect(Buffer.compare(download.body as Buffer, PNG)).toBe(0);
  });

  it('replaces atomically and removes the old bytes', async () => {
    const [before] = await t.sql<{ storage_key: string }>(
      'SELECT storage_key FROM post_artifacts WHERE post_id = $1',
      [postId],
    );
    const created = await slot({
      filename: 'manual.pdf',
      contentType: 'application/pdf',
      size: PDF.length,
    }).expect(201);
    await put(created.body.uploadUrl, PDF, 'application/pdf').expect(200);
    await commit(created.body.uploadId).expect(200);
    const [after] = await t.sql<{ content_type: string; storage_key: string }>(
      'SELECT content_type, storage_key FROM post_artifacts WHERE post_id = $1',
      [postId],
    );
    expect(after.content_type).toBe('application/pdf');
    expect(existsSync(join(artifactsDir(), after.storage_key))).toBe(true);
    expect(existsSync(join(artifactsDir(), before.storage_key))).toBe(false);
  });

  it.each([
    ['a disallowed type', { contentType: 'text/html' }, 'contentType'],
    ['a size over the type’s limit', { contentType: 'image/png', size: 11 * 1024 * 1024 }, 'size'],
    ['a zero size', { size: 0 }, 'size'],
    ['a path as file name', { filename: '../etc/passwd' }, 'filename'],
  ])('refuses a slot with %s (400 naming the field)', async (_label, body, field) => {
    const before = await t.sql('SELECT count(*)::int AS n FROM artifact_uploads');
    const res = await slot(body).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await t.sql('SELECT count(*)::int AS n FROM artifact_uploads')).toEqual(before);
  });

  it('lets only the author request a slot, and only with artifacts:write', async () => {
    const res = await slot({}, bobAll).expect(403);
    expect(res.body.code).toBe('forbidden');
    const noScope = await slot({}, aliceRead).expect(403);
    expect(noScope.body.code).toBe('insufficient_scope');
  });

  it('refuses wrong bytes, a wrong length, oversize bytes and a wrong Content-Type, keeping nothing', async () => {
    const created = await slot({}).expect(201);
    const url = created.body.uploadUrl as string;
    const wrongBytes = await put(
      url,
      Buffer.concat([PDF.subarray(0, PNG.length)]),
      'image/png',
    ).expect(400);
    expect(wrongBytes.body.errors[0]).toMatchObject({
      field: 'body',
      message: 'does not look like image/png',
    });
    await put(url, PNG.subarray(0, 100), 'image/png').expect(400);
    await put(url, Buffer.concat([PNG, PNG]), 'image/png').expect(400);
    const wrongType = await put(url, PNG, 'image/jpeg').expect(400);
    expect(wrongType.body.errors[0].field).toBe('Content-Type');
    await put(url, PNG, 'text/plain').expect(415);
    expect(existsSync(join(artifactsDir(), created.body.uploadId))).toBe(false);
    // Committing what was never successfully uploaded fails, and the artifact stays.
    const [before] = await t.sql('SELECT * FROM post_artifacts WHERE post_id = $1', [postId]);
    const res = await commit(created.body.uploadId).expect(409);
    expect(res.body.detail).toMatch(/Nothing has been uploaded/);
    expect(await t.sql('SELECT * FROM post_artifacts WHERE post_id = $1', [postId])).toEqual([
      before,
    ]);
  });

  it('refuses an upload URL with a wrong secret, and an expired upload at PUT and at commit', async () => {
    const created = await slot({}).expect(201);
    const url = new URL(created.body.uploadUrl as string);
    const forged = url.pathname.replace(/[A-Za-z0-9_-]{43}$/, 'A'.repeat(43));
    const res = await t.http().put(forged).set('Content-Type', 'image/png').send(PNG).expect(401);
    expect(res.body.code).toBe('invalid_signature');

    await put(created.body.uploadUrl, PNG, 'image/png').expect(200);
    await t.sql(
      `UPDATE artifact_uploads SET expires_at = now() - interval '1 minute' WHERE id = $1`,
      [created.body.uploadId],
    );
    await put(created.body.uploadUrl, PNG, 'image/png').expect(401);
    const [before] = await t.sql('SELECT * FROM post_artifacts WHERE post_id = $1', [postId]);
    const expired = await commit(created.body.uploadId).expect(409);
    expect(expired.body.detail).toMatch(/expired/);
    expect(await t.sql('SELECT * FROM post_artifacts WHERE post_id = $1', [postId])).toEqual([
      before,
    ]);

    // Expired uploads are cleaned up with their bytes.
    expect(existsSync(join(artifactsDir(), created.body.uploadId))).toBe(true);
    expect(await t.running.app.get(ArtifactsService).cleanupExpired()).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(artifactsDir(), created.body.uploadId))).toBe(false);
    expect(
      await t.sql('SELECT id FROM artifact_uploads WHERE id = $1', [created.body.uploadId]),
    ).toEqual([]);
  });

  it('honours the post’s visibility for the artifact (a draft’s artifact is the author’s alone)', async () => {
    const draft = (
      await t
        .http()
        .post('/api/posts')
        .set(bearer(aliceArtifacts))
        .send({ title: 'draft', body: 'b', status: 'DRAFT' })
        .expect(201)
    ).body.id;
    const created = await t
      .http()
      .post(`/api/posts/${draft}/artifact-uploads`)
      .set(bearer(aliceArtifacts))
      .send({ filename: 'a.png', contentType: 'image/png', size: PNG.length })
      .expect(201);
    await put(created.body.uploadUrl, PNG, 'image/png').expect(200);
    await t
      .http()
      .post(`/api/posts/${draft}/artifact-uploads/${created.body.uploadId}/commit`)
      .set(bearer(aliceArtifacts))
      .expect(200);
    await t.http().get(`/api/posts/${draft}/artifact`).set(bearer(aliceRead)).expect(200);
    await t.http().get(`/api/posts/${draft}/artifact`).set(bearer(bobAll)).expect(404);
    await t.http().get(`/api/posts/${draft}/artifact/content`).set(bearer(bobAll)).expect(404);
  });
});
