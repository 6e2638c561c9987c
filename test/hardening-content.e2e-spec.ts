import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArtifactsService } from '../src/modules/content/artifacts/artifacts.service.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** A valid PNG of `size` bytes whose filler makes each variant's bytes (and sha256) distinct. */
const png = (fill: number, size = 400) =>
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.alloc(size - 8, fill),
  ]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(300, 65)]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('hardening: artifacts and reply moderation (issue 11)', () => {
  let t: TestApp;
  let alice: SignedInUser;
  let aliceWrite: string;
  let bobWrite: string;
  let carolRead: string;
  let server: Server;

  beforeAll(async () => {
    t = await createTestApp();
    alice = await signUp(t);
    aliceWrite = (await createToken(t, alice, ['artifacts:write', 'posts:write', 'posts:read']))
      .token;
    bobWrite = (await createToken(t, await signUp(t), ['posts:write', 'posts:read'])).token;
    carolRead = (await createToken(t, await signUp(t), ['posts:read'])).token;
    // A listening server, so a test can cut a request off midway over a real socket.
    server = t.running.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await t?.close();
  });

  const artifactsDir = () => join(t.config.dataDir, 'artifacts');
  const filesOf = (id: string) => readdirSync(artifactsDir()).filter((f) => f.startsWith(id));
  const newPost = async (extra: Record<string, unknown> = {}, token = aliceWrite) =>
    (
      await t
        .http()
        .post('/api/posts')
        .set(bearer(token))
        .send({ title: 'deliverable', body: 'b', status: 'PUBLISHED', ...extra })
        .expect(201)
    ).body as { id: string; replyState: string | null };
  const slot = (postId: string, body: Record<string, unknown> = {}) =>
    t
      .http()
      .post(`/api/posts/${postId}/artifact-uploads`)
      .set(bearer(aliceWrite))
      .send({ filename: 'file.png', contentType: 'image/png', size: 400, ...body });
  const newSlot = async (postId: string, body: Record<string, unknown> = {}) =>
    (await slot(postId, body).expect(201)).body as { uploadId: string; uploadUrl: string };
  const put = (url: string, bytes: Buffer, type = 'image/png') =>
    t.http().put(new URL(url).pathname).set('Content-Type', type).send(bytes);
  const commit = (postId: string, uploadId: string) =>
    t
      .http()
      .post(`/api/posts/${postId}/artifact-uploads/${uploadId}/commit`)
      .set(bearer(aliceWrite));
  const download = (postId: string) =>
    t
      .http()
      .get(`/api/posts/${postId}/artifact/content`)
      .set(bearer(aliceWrite))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
  const uploadRow = async (id: string) =>
    (
      await t.sql<{ status: string; sha256: string | null }>(
        'SELECT status, sha256 FROM artifact_uploads WHERE id = $1',
        [id],
      )
    )[0];

  /** A PUT over a raw socket that sends `part` of a `total`-byte body and waits to be cut off. */
  function startPartialPut(url: string, total: number, part: Buffer) {
    const { port } = server.address() as AddressInfo;
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'PUT',
      path: new URL(url).pathname,
      headers: { 'Content-Type': 'image/png', 'Content-Length': total },
    });
    const outcome = new Promise<number | 'cut off'>((resolve) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve('cut off'));
    });
    req.write(part);
    return { outcome, cutOff: () => req.destroy() };
  }

  describe('defect 1: an upload slot takes bytes once; committed bytes never change', () => {
    it('refuses a second complete PUT (before or after commit) and keeps the first bytes', async () => {
      const post = await newPost();
      const { uploadId, uploadUrl } = await newSlot(post.id);
      const first = png(1);
      const received = await put(uploadUrl, first).expect(200);
      expect(received.body.sha256).toBe(sha256(first));

      const again = await put(uploadUrl, png(2)).expect(409);
      expect(again.body.code).toBe('conflict');
      expect(await uploadRow(uploadId)).toEqual({ status: 'uploaded', sha256: sha256(first) });

      const committed = await commit(post.id, uploadId).expect(200);
      expect(committed.body.sha256).toBe(sha256(first));
      const afterCommit = await put(uploadUrl, png(3)).expect(409);
      expect(afterCommit.body.code).toBe('conflict');

      expect(await uploadRow(uploadId)).toEqual({ status: 'committed', sha256: sha256(first) });
      expect(readFileSync(join(artifactsDir(), uploadId)).equals(first)).toBe(true);
      const got = await download(post.id).expect(200);
      expect((got.body as Buffer).equals(first)).toBe(true);
      await commit(post.id, uploadId).expect(409);
    });

    it('a PUT cut off midway, started before the commit, leaves the committed bytes and row alone', async () => {
      const post = await newPost();
      const { uploadId, uploadUrl } = await newSlot(post.id);
      const first = png(4);
      await put(uploadUrl, first).expect(200);

      const late = startPartialPut(uploadUrl, 400, png(5).subarray(0, 200));
      await sleep(300); // long enough for the server to be inside the PUT
      await commit(post.id, uploadId).expect(200);
      late.cutOff();
      expect([409, 'cut off']).toContain(await late.outcome);
      await sleep(300);

      expect(await uploadRow(uploadId)).toEqual({ status: 'committed', sha256: sha256(first) });
      expect(filesOf(uploadId)).toEqual([uploadId]);
      expect(readFileSync(join(artifactsDir(), uploadId)).equals(first)).toBe(true);
      const got = await download(post.id).expect(200);
      expect((got.body as Buffer).equals(first)).toBe(true);
    });

    it('a first PUT cut off midway stores nothing and leaves the slot free for a full PUT', async () => {
      const post = await newPost();
      const { uploadId, uploadUrl } = await newSlot(post.id);
      const bytes = png(6);
      const cut = startPartialPut(uploadUrl, 400, bytes.subarray(0, 150));
      await sleep(300);
      cut.cutOff();
      await cut.outcome;
      for (let i = 0; i < 40 && (await uploadRow(uploadId)).status !== 'pending'; i++)
        await sleep(50);
      expect(await uploadRow(uploadId)).toEqual({ status: 'pending', sha256: null });
      expect(filesOf(uploadId)).toEqual([]); // neither the key nor a temporary file

      await put(uploadUrl, bytes).expect(200);
      await commit(post.id, uploadId).expect(200);
      expect(readFileSync(join(artifactsDir(), uploadId)).equals(bytes)).toBe(true);
    });

    it('of concurrent PUTs to one slot exactly one is taken, and the stored bytes are its bytes', async () => {
      const post = await newPost();
      const { uploadId, uploadUrl } = await newSlot(post.id);
      const bodies = Array.from({ length: 8 }, (_, i) => png(10 + i));
      const answers = await Promise.all(bodies.map((b) => put(uploadUrl, b)));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
      const winner = answers.find((a) => a.status === 200)!;
      const stored = readFileSync(join(artifactsDir(), uploadId));
      expect(sha256(stored)).toBe(winner.body.sha256);
      expect(await uploadRow(uploadId)).toEqual({ status: 'uploaded', sha256: sha256(stored) });
      expect(filesOf(uploadId)).toEqual([uploadId]);
    });
  });

  describe('defect 2: file names on download and at slot creation', () => {
    it('downloads a non-ASCII name with an RFC 8187 filename* and an ASCII fallback', async () => {
      const post = await newPost();
      const { uploadId, uploadUrl } = await newSlot(post.id, {
        filename: '日本 "report".pdf',
        contentType: 'application/pdf',
        size: PDF.length,
      });
      await put(uploadUrl, PDF, 'application/pdf').expect(200);
      await commit(post.id, uploadId).expect(200);
      const got = await download(post.id).expect(200);
      expect(got.headers['content-type']).toBe('application/pdf');
      expect(got.headers['content-disposition']).toBe(
        `attachment; filename="?? \\"report\\".pdf"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%20%22report%22.pdf`,
      );
      expect((got.body as Buffer).equals(PDF)).toBe(true);

      // A name stored before names were checked still downloads, with a valid header.
      await t.sql(`UPDATE post_artifacts SET filename = $2 WHERE post_id = $1`, [
        post.id,
        'a\u202Egnp\r\n.pdf',
      ]);
      const legacy = await download(post.id).expect(200);
      expect(legacy.headers['content-disposition']).toMatch(
        /^attachment; filename="[ -~]+"; filename\*=UTF-8''[!-~]+$/,
      );
    });

    it.each([
      ['a right-to-left override', 'invoice\u202Efdp.exe'],
      ['a newline', 'a\nb.png'],
      ['a tab', 'a\tb.png'],
      ['an escape character', 'a\u001bb.png'],
      ['a zero-width joiner', 'a\u200db.png'],
    ])('refuses a file name with %s (400 naming filename, no slot)', async (_label, filename) => {
      const post = await newPost();
      const res = await slot(post.id, { filename }).expect(400);
      expect(res.body.errors).toContainEqual({
        field: 'filename',
        message: 'must not contain control or invisible formatting characters',
      });
      expect(await t.sql('SELECT id FROM artifact_uploads WHERE post_id = $1', [post.id])).toEqual(
        [],
      );
    });
  });

  describe('defect 5: concurrent commits to one post', () => {
    it('serialise: every commit answers 200 or 409, and the post ends with exactly one artifact', async () => {
      const post = await newPost();
      const slots = [];
      for (let i = 0; i < 20; i++) {
        const s = await newSlot(post.id);
        await put(s.uploadUrl, png(40 + i)).expect(200);
        slots.push(s);
      }
      const answers = await Promise.all(slots.map((s) => commit(post.id, s.uploadId)));
      for (const a of answers) expect([200, 409]).toContain(a.status);
      expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(0);

      const rows = await t.sql<{ storage_key: string; sha256: string }>(
        'SELECT storage_key, sha256 FROM post_artifacts WHERE post_id = $1',
        [post.id],
      );
      expect(rows).toHaveLength(1);
      const ids = slots.map((s) => s.uploadId);
      expect(ids).toContain(rows[0].storage_key);
      // Only the winner's bytes remain on disk; each replaced artifact's bytes were removed.
      expect(ids.filter((id) => existsSync(join(artifactsDir(), id)))).toEqual([
        rows[0].storage_key,
      ]);
      expect(sha256(readFileSync(join(artifactsDir(), rows[0].storage_key)))).toBe(rows[0].sha256);
    });
  });

  describe('defect 8: no orphaned files', () => {
    it('deleting a post removes its artifact, its reply’s artifact and uncommitted uploads from disk', async () => {
      const post = await newPost();
      const committed = await newSlot(post.id);
      await put(committed.uploadUrl, png(70)).expect(200);
      await commit(post.id, committed.uploadId).expect(200);
      const uncommitted = await newSlot(post.id);
      await put(uncommitted.uploadUrl, png(71)).expect(200);
      const reply = await newPost({ parentPostId: post.id });
      const replyUpload = await newSlot(reply.id);
      await put(replyUpload.uploadUrl, png(72)).expect(200);
      await commit(reply.id, replyUpload.uploadId).expect(200);
      const ids = [committed.uploadId, uncommitted.uploadId, replyUpload.uploadId];
      for (const id of ids) expect(existsSync(join(artifactsDir(), id))).toBe(true);

      await t.http().delete(`/api/posts/${post.id}`).set(bearer(aliceWrite)).expect(204);

      expect(
        await t.sql('SELECT id FROM posts WHERE id = ANY($1::uuid[])', [[post.id, reply.id]]),
      ).toEqual([]);
      expect(
        await t.sql('SELECT id FROM artifact_uploads WHERE id = ANY($1::uuid[])', [ids]),
      ).toEqual([]);
      for (const id of ids) expect(filesOf(id)).toEqual([]);
    });

    it('the sweeper removes files no row names and abandoned temporary files, not live ones', async () => {
      const post = await newPost();
      const live = await newSlot(post.id);
      await put(live.uploadUrl, png(80)).expect(200);
      const dir = artifactsDir();
      const orphan = 'a1b2c3d4-0000-4000-8000-00000000abcd';
      const abandoned = `${orphan.replace('abcd', 'abce')}.0123456789abcdef.partial`;
      const inFlight = `${live.uploadId.slice(0, 35)}f.fedcba9876543210.partial`;
      const stranger = 'README.txt';
      for (const f of [orphan, abandoned, inFlight, stranger]) writeFileSync(join(dir, f), 'x');
      const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
      utimesSync(join(dir, abandoned), hourAgo, hourAgo);
      utimesSync(join(dir, orphan), hourAgo, hourAgo);

      const removed = await t.running.app.get(ArtifactsService).reconcileFiles();

      expect(removed).toBeGreaterThanOrEqual(2);
      expect(existsSync(join(dir, orphan))).toBe(false);
      expect(existsSync(join(dir, abandoned))).toBe(false);
      expect(existsSync(join(dir, inFlight))).toBe(true); // a writer may still be at it
      expect(existsSync(join(dir, stranger))).toBe(true); // not the storage's file
      expect(existsSync(join(dir, live.uploadId))).toBe(true); // its row names it
    });
  });

  describe('defect 6 and 7: reply moderation', () => {
    let parent: { id: string };
    beforeAll(async () => {
      parent = await newPost({ title: 'moderated', requiresReplyApproval: true });
    });
    const moderate = (replyId: string, action: 'accept' | 'request-revision', note?: string) =>
      t
        .http()
        .post(`/api/posts/${parent.id}/replies/${replyId}/${action}`)
        .set(bearer(aliceWrite))
        .send(note ? { note } : {});
    const replyRow = async (id: string) =>
      (
        await t.sql<{ reply_state: string; revision_note: string | null; body: string }>(
          'SELECT reply_state, revision_note, body FROM posts WHERE id = $1',
          [id],
        )
      )[0];

    it('an edit to an accepted reply’s title or body sends it back to review', async () => {
      const reply = await newPost({ parentPostId: parent.id, body: 'hi' }, bobWrite);
      expect(reply.replyState).toBe('awaiting_review');
      await moderate(reply.id, 'accept').expect(200);
      await t.http().get(`/api/posts/${reply.id}`).set(bearer(carolRead)).expect(200);

      // Not a change of text: stays accepted.
      const tagged = await t
        .http()
        .patch(`/api/posts/${reply.id}`)
        .set(bearer(bobWrite))
        .send({ hashtags: ['news'], body: 'hi' })
        .expect(200);
      expect(tagged.body.replyState).toBe('accepted');

      const edited = await t
        .http()
        .patch(`/api/posts/${reply.id}`)
        .set(bearer(bobWrite))
        .send({ body: 'buy my stuff at evil.example' })
        .expect(200);
      expect(edited.body.replyState).toBe('awaiting_review');
      expect(await replyRow(reply.id)).toMatchObject({
        reply_state: 'awaiting_review',
        body: 'buy my stuff at evil.example',
      });
      await t.http().get(`/api/posts/${reply.id}`).set(bearer(carolRead)).expect(404);

      await moderate(reply.id, 'accept').expect(200);
      await t
        .http()
        .patch(`/api/posts/${reply.id}`)
        .set(bearer(bobWrite))
        .send({ title: 'new title' })
        .expect(200);
      expect((await replyRow(reply.id)).reply_state).toBe('awaiting_review');
    });

    it('the parent’s author editing their own reply needs no review', async () => {
      const own = await newPost({ parentPostId: parent.id });
      expect(own.replyState).toBe('accepted');
      const edited = await t
        .http()
        .patch(`/api/posts/${own.id}`)
        .set(bearer(aliceWrite))
        .send({ body: 'clarified' })
        .expect(200);
      expect(edited.body.replyState).toBe('accepted');
    });

    it('accept and request-revision on a draft reply answer 404 and change nothing', async () => {
      const draft = await newPost({ parentPostId: parent.id, status: 'DRAFT' }, bobWrite);
      const before = await replyRow(draft.id);
      expect(before.reply_state).toBe('awaiting_review');

      const accepted = await moderate(draft.id, 'accept').expect(404);
      expect(accepted.body.code).toBe('not_found');
      expect(await replyRow(draft.id)).toEqual(before);

      await moderate(draft.id, 'request-revision', 'Please fix.').expect(404);
      expect(await replyRow(draft.id)).toEqual(before);
    });
  });
});
