import { bearer } from './actors.js';
import type { TestApp } from './test-app.js';

/** The smallest bytes the artifact sniffing accepts as image/png. */
export const SAMPLE_PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 7),
]);

/**
 * Requests an upload slot for `postId` and PUTs `SAMPLE_PNG` to its URL; with `commit`, also
 * commits it as the post's artifact. Returns the upload id. For tests that need an artifact in
 * place; the upload steps themselves are tested one by one in content-artifacts.
 */
export async function uploadSamplePng(
  t: TestApp,
  token: string,
  postId: string,
  { commit = false } = {},
): Promise<string> {
  const slot = await t
    .http()
    .post(`/api/posts/${postId}/artifact-uploads`)
    .set(bearer(token))
    .send({ filename: 'sample.png', contentType: 'image/png', size: SAMPLE_PNG.length })
    .expect(201);
  await t
    .http()
    .put(new URL(slot.body.uploadUrl as string).pathname)
    .set('Content-Type', 'image/png')
    .send(SAMPLE_PNG)
    .expect(200);
  const uploadId = slot.body.uploadId as string;
  if (commit)
    await t
      .http()
      .post(`/api/posts/${postId}/artifact-uploads/${uploadId}/commit`)
      .set(bearer(token))
      .expect(200);
  return uploadId;
}
