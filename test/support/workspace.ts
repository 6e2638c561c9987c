import { createHmac } from 'node:crypto';
import { bearer, createToken, type SignedInUser } from './actors.js';
import type { TestApp } from './test-app.js';

/** Creates a published post through the API (a PAT with posts:write); returns its id. */
export async function createPost(t: TestApp, user: SignedInUser, title = 'workspace post') {
  const token = (await createToken(t, user, ['posts:write'])).token;
  const res = await t
    .http()
    .post('/api/posts')
    .set(bearer(token))
    .send({ title, body: 'b', status: 'PUBLISHED' });
  if (res.status !== 201) throw new Error(`post creation failed: ${res.status} ${res.text}`);
  return (res.body as { id: string }).id;
}

export interface RunBody {
  id: string;
  status: string;
  output: string | null;
  error: string | null;
  attempts: number;
  trigger: { type: string; ruleId: string | null };
  [key: string]: unknown;
}

const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];

/** Polls a run as a client would until it ends (or `timeoutMs` passes). */
export async function pollRun(
  t: TestApp,
  headers: Record<string, string>,
  runId: string,
  timeoutMs = 15_000,
): Promise<RunBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.http().get(`/api/workspace/automations/runs/${runId}`).set(headers);
    if (res.status !== 200) throw new Error(`run poll failed: ${res.status} ${res.text}`);
    const run = res.body as RunBody;
    if (TERMINAL.includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `X-GPX-Signature` for a body, as an outside system computes it. */
export function signHook(secret: string, body: string, at = Math.floor(Date.now() / 1000)) {
  const v1 = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
  return `t=${at},v1=${v1}`;
}
