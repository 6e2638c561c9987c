import { Writable } from 'node:stream';
import { bearer, createToken, signUp } from './support/actors.js';
import { useTestApp } from './support/test-app.js';
import { createPost, pollRun, signHook } from './support/workspace.js';

/**
 * Binding values and hook secrets never reach the log, at the most verbose level, across their
 * whole life: bound, listed, opened for a run, replaced, and a hook fired with its secret.
 */
let log = '';
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    log += chunk.toString('utf8');
    done();
  },
});
const t = useTestApp({ env: { LOG_LEVEL: 'trace' }, logDestination: sink });

it('writes no binding value or hook secret to the log', async () => {
  const VALUE = 'bound-secret-value-5f7e2a9c';
  const alice = await signUp(t);
  const headers = bearer(
    (await createToken(t, alice, ['workspaces:manage', 'workspaces:run'])).token,
  );
  const post = await createPost(t, alice);
  await t
    .http()
    .put(`/api/workspace/${post}/bindings/API_KEY`)
    .set(headers)
    .send({ value: VALUE })
    .expect(200);
  await t.http().get(`/api/workspace/${post}/bindings`).set(headers).expect(200);
  const run = await t
    .http()
    .post('/api/workspace/automations/runs')
    .set(headers)
    .send({ postId: post, prompt: 'use the key', idempotencyKey: 'logs-1' })
    .expect(202);
  expect((await pollRun(t, headers, run.body.id as string)).status).toBe('SUCCEEDED');
  const rule = await t
    .http()
    .post('/api/workspace/automations/rules')
    .set(headers)
    .send({ postId: post, trigger: { type: 'WEBHOOK_EVENT' }, promptTemplate: 'hook' })
    .expect(201);
  const secret = rule.body.hookSecret as string;
  const body = JSON.stringify({ a: 1 });
  await t
    .http()
    .post(new URL(rule.body.trigger.hookUrl as string).pathname)
    .set({
      'Content-Type': 'application/json',
      'X-GPX-Webhook-Secret': secret,
      'X-GPX-Signature': signHook(secret, body),
    })
    .send(body)
    .expect(202);
  await t
    .http()
    .put(`/api/workspace/${post}/bindings/API_KEY`)
    .set(headers)
    .send({ value: 'replaced' })
    .expect(200);
  expect(log.length).toBeGreaterThan(0); // the log was being written
  expect(log).not.toContain(VALUE);
  expect(log).not.toContain(secret);
});
