import { DomainEvents, EventRelay } from '../src/events/index.js';
import { WebhookDeliveryWorker } from '../src/modules/webhooks/index.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { databaseState } from './support/route-matrix.js';
import { createTestApp, type TestApp, useTestApp } from './support/test-app.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Outgoing webhooks end to end: real events from real changes, fanned out by the relay, signed
 * and POSTed to a receiver on loopback that verifies them with the standardwebhooks library.
 * Background loops are off: each test drains the relay and runs the delivery worker itself, and
 * "waits" for a retry by making it due (run_at) instead of sleeping.
 */

const t = useTestApp({
  env: { BACKGROUND_WORK: 'false', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' },
});
let alice: SignedInUser;
let bob: SignedInUser;
let aliceHooks: string;
let alicePosts: string;
let bobHooks: string;
let bobPosts: string;
let receiver: WebhookReceiver;

interface Endpoint {
  id: string;
  secret: string;
  url: string;
  enabled: boolean;
  disabledReason: string | null;
  lastError: string | null;
  lastSuccessAt: string | null;
}
interface Delivery {
  id: string;
  webhookId: string;
  status: string;
  eventType: string;
  nextRetryAt: string | null;
  attempts: { responseStatus: number | null; errorClass: string | null; latencyMs: number }[];
}

beforeAll(async () => {
  alice = await signUp(t);
  bob = await signUp(t);
  aliceHooks = (await createToken(t, alice, ['webhooks:manage'])).token;
  alicePosts = (await createToken(t, alice, ['posts:write', 'posts:read'])).token;
  bobHooks = (await createToken(t, bob, ['webhooks:manage'])).token;
  bobPosts = (await createToken(t, bob, ['posts:write', 'posts:read'])).token;
  receiver = await new WebhookReceiver().start();
});
afterAll(() => receiver?.close());

/** Hands committed events to the fan-out, then sends everything due. */
async function deliver(app: TestApp = t): Promise<void> {
  await app.running.app.get(EventRelay).drain();
  // Waits for an attempt the background loop may have in flight (seen racing under CI load).
  await app.running.app.get(WebhookDeliveryWorker).drain();
}

/**
 * Makes pending retries due now (time passes without sleeping), then delivers. A second in the
 * past, not now(): the claim compares with the app's millisecond clock, which can still read the
 * same millisecond as PostgreSQL's microsecond now() and find the row not yet due (seen on Node 24).
 */
async function retryNow(): Promise<void> {
  await t.sql(
    `UPDATE webhook_deliveries SET run_at = now() - interval '1 second' WHERE status = 'pending'`,
  );
  await deliver();
}

async function createEndpoint(
  token: string,
  events: string[],
  url = receiver.url,
): Promise<Endpoint> {
  const res = await t
    .http()
    .post('/api/webhooks/endpoints')
    .set(bearer(token))
    .send({ url, events, description: 'test receiver' });
  expect(res.status, res.text).toBe(201);
  return res.body as Endpoint;
}

async function deliveriesOf(endpointId: string, token = aliceHooks): Promise<Delivery[]> {
  const res = await t
    .http()
    .get(`/api/webhooks/endpoints/${endpointId}/deliveries`)
    .set(bearer(token))
    .expect(200);
  return (res.body as { items: Delivery[] }).items;
}

async function publish(token: string, title: string, extra: Record<string, unknown> = {}) {
  const res = await t
    .http()
    .post('/api/posts')
    .set(bearer(token))
    .send({ title, body: `secret body of ${title}`, status: 'PUBLISHED', ...extra });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; referenceId: string };
}

const since = () => receiver.received.length;

/** Each test starts with no endpoints (and so no pending deliveries) and a fresh script. */
async function clearEndpoints(): Promise<void> {
  await t.sql('DELETE FROM webhook_endpoints');
  receiver.answer();
  receiver.reset();
}

describe('endpoints', () => {
  it('creates an endpoint whose secret is shown once and stored only sealed', async () => {
    const endpoint = await createEndpoint(aliceHooks, ['post.published']);
    expect(endpoint).toMatchObject({
      url: receiver.url,
      events: ['post.published'],
      enabled: true,
      disabledReason: null,
      lastError: null,
      lastSuccessAt: null,
    });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const [row] = await t.sql<{ owner_id: string; secret_sealed: string }>(
      'SELECT owner_id, secret_sealed FROM webhook_endpoints WHERE id = $1',
      [endpoint.id],
    );
    expect(row.owner_id).toBe(alice.id);
    expect(row.secret_sealed).toMatch(/^v1\./);
    expect(row.secret_sealed).not.toContain(endpoint.secret.slice(6));

    const one = await t
      .http()
      .get(`/api/webhooks/endpoints/${endpoint.id}`)
      .set(bearer(aliceHooks))
      .expect(200);
    expect(one.body).not.toHaveProperty('secret');
    expect(JSON.stringify(one.body)).not.toContain(endpoint.secret);
    const list = await t.http().get('/api/webhooks/endpoints').set(bearer(aliceHooks)).expect(200);
    expect((list.body as { items: Endpoint[] }).items.map((e) => e.id)).toContain(endpoint.id);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
  });

  it('refuses unknown event types and non-URLs naming the field, storing nothing', async () => {
    const before = await databaseState(t);
    const res = await t
      .http()
      .post('/api/webhooks/endpoints')
      .set(bearer(aliceHooks))
      .send({ url: 'not a url', events: ['post.published', 'post.exploded'] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'validation_failed' });
    const fields = (res.body as { errors: { field: string }[] }).errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['url', 'events[1]']));
    const empty = await t
      .http()
      .post('/api/webhooks/endpoints')
      .set(bearer(aliceHooks))
      .send({ url: receiver.url, events: [] });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('events');
    expect(await databaseState(t)).toEqual(before);
  });

  it('updates, disables and deletes an endpoint (with its log)', async () => {
    const endpoint = await createEndpoint(aliceHooks, ['post.published']);
    const patched = await t
      .http()
      .patch(`/api/webhooks/endpoints/${endpoint.id}`)
      .set(bearer(aliceHooks))
      .send({ events: ['post.updated', 'post.deleted'], description: 'renamed', enabled: false })
      .expect(200);
    expect(patched.body).toMatchObject({
      events: ['post.updated', 'post.deleted'],
      description: 'renamed',
      enabled: false,
    });
    expect(
      await t.sql('SELECT enabled, events FROM webhook_endpoints WHERE id = $1', [endpoint.id]),
    ).toEqual([{ enabled: false, events: ['post.updated', 'post.deleted'] }]);
    await t
      .http()
      .delete(`/api/webhooks/endpoints/${endpoint.id}`)
      .set(bearer(aliceHooks))
      .expect(204);
    expect(await t.sql('SELECT id FROM webhook_endpoints WHERE id = $1', [endpoint.id])).toEqual(
      [],
    );
  });
});

describe('delivery', () => {
  beforeEach(clearEndpoints);
  it('publishing a post delivers post.published exactly once, signed, without the body', async () => {
    const endpoint = await createEndpoint(aliceHooks, ['post.published']);
    const start = since();
    const post = await publish(alicePosts, 'Hello webhooks');
    await deliver();
    await deliver(); // nothing more to send
    const got = receiver.received.slice(start).filter((r) => r.json.type === 'post.published');
    expect(got).toHaveLength(1);
    const [hook] = got;
    expect(WebhookReceiver.verify(endpoint.secret, hook)).toMatchObject({
      type: 'post.published',
      data: { postId: post.id },
    });
    expect(hook.json).toEqual({
      type: 'post.published',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      data: {
        postId: post.id,
        referenceId: post.referenceId,
        authorId: alice.id,
        title: 'Hello webhooks',
        status: 'PUBLISHED',
        publishedAt: expect.any(String),
      },
    });
    expect(hook.body).not.toContain('secret body');
    expect(String(hook.headers['webhook-id'])).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(String(hook.headers['webhook-signature'])).toMatch(/^v1,[A-Za-z0-9+/=]+$/);

    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({
      eventType: 'post.published',
      status: 'succeeded',
      webhookId: hook.headers['webhook-id'],
      nextRetryAt: null,
      attempts: [{ responseStatus: 200, errorClass: null, latencyMs: expect.any(Number) }],
    });
    const view = await t
      .http()
      .get(`/api/webhooks/endpoints/${endpoint.id}`)
      .set(bearer(aliceHooks))
      .expect(200);
    expect((view.body as Endpoint).lastSuccessAt).not.toBeNull();
    await t.sql('DELETE FROM webhook_endpoints WHERE id = $1', [endpoint.id]);
  });

  it('retries a receiver answering 500 twice, then 200: three attempts under one webhook-id', async () => {
    const endpoint = await createEndpoint(aliceHooks, ['post.published']);
    const start = since();
    receiver.answer({ status: 500, body: 'boom' }, { status: 500 });
    await publish(alicePosts, 'Flaky receiver');
    await deliver();
    let [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery.status).toBe('pending');
    expect(delivery.attempts).toMatchObject([{ responseStatus: 500, errorClass: 'http_5xx' }]);
    // The first retry comes about 5 seconds later.
    const wait = new Date(delivery.nextRetryAt!).getTime() - Date.now();
    expect(wait).toBeGreaterThan(2_000);
    expect(wait).toBeLessThanOrEqual(5_000);
    const failing = await t
      .http()
      .get(`/api/webhooks/endpoints/${endpoint.id}`)
      .set(bearer(aliceHooks))
      .expect(200);
    expect((failing.body as Endpoint).lastError).toBe('http_5xx: answered 500');

    await retryNow();
    [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery.status).toBe('pending');
    // Then about 5 minutes.
    const wait2 = new Date(delivery.nextRetryAt!).getTime() - Date.now();
    expect(wait2).toBeGreaterThan(4 * 60_000);
    await retryNow();
    [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery.status).toBe('succeeded');
    expect(delivery.attempts.map((a) => a.responseStatus)).toEqual([500, 500, 200]);

    const got = receiver.received.slice(start);
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    for (const hook of got) WebhookReceiver.verify(endpoint.secret, hook);
    await t.sql('DELETE FROM webhook_endpoints WHERE id = $1', [endpoint.id]);
  });

  it('honours Retry-After and counts a redirect as a failure', async () => {
    const endpoint = await createEndpoint(aliceHooks, ['post.published']);
    receiver.answer({ status: 503, headers: { 'Retry-After': '600' } });
    await publish(alicePosts, 'Busy receiver');
    await deliver();
    let [delivery] = await deliveriesOf(endpoint.id);
    const wait = new Date(delivery.nextRetryAt!).getTime() - Date.now();
    expect(wait).toBeGreaterThan(590_000);
    expect(wait).toBeLessThanOrEqual(600_000);

    receiver.answer({ status: 302, headers: { Location: 'http://169.254.169.254/' } });
    await retryNow();
    [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery.status).toBe('pending');
    expect(delivery.attempts.map((a) => a.errorClass)).toEqual(['http_5xx', 'redirect']);
    await t.sql('DELETE FROM webhook_endpoints WHERE id = $1', [endpoint.id]);
  });

  it('a 410 Gone disables the endpoint and says why', async () => {
    const endpoint = await createEndpoint(aliceHooks, ['post.published']);
    receiver.answer({ status: 410 });
    await publish(alicePosts, 'Gone receiver');
    await deliver();
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: 'failed', nextRetryAt: null });
    const view = await t
      .http()
      .get(`/api/webhooks/endpoints/${endpoint.id}`)
      .set(bearer(aliceHooks))
      .expect(200);
    expect(view.body).toMatchObject({ enabled: false, lastError: 'http_4xx: answered 410' });
    expect((view.body as Endpoint).disabledReason).toMatch(/410 Gone/);

    // A disabled endpoint gets nothing new; a test is refused until it is enabled again.
    const start = since();
    await publish(alicePosts, 'After gone');
    await deliver();
    expect(receiver.received.length).toBe(start);
    const test = await t
      .http()
      .post(`/api/webhooks/endpoints/${endpoint.id}/test`)
      .set(bearer(aliceHooks));
    expect(test.status).toBe(409);
    const enabled = await t
      .http()
      .patch(`/api/webhooks/endpoints/${endpoint.id}`)
      .set(bearer(aliceHooks))
      .send({ enabled: true })
      .expect(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
    await t.sql('DELETE FROM webhook_endpoints WHERE id = $1', [endpoint.id]);
  });

  it('disables an endpoint that has failed for three days straight', async () => {
    const endpoint = await createEndpoint(aliceHooks, ['post.published']);
    receiver.answer({ status: 500 });
    await t.sql(
      `UPDATE webhook_endpoints SET failing_since = now() - interval '3 days 1 minute' WHERE id = $1`,
      [endpoint.id],
    );
    await publish(alicePosts, 'Three days of failure');
    await deliver();
    const [row] = await t.sql<{ enabled: boolean; disabled_reason: string }>(
      'SELECT enabled, disabled_reason FROM webhook_endpoints WHERE id = $1',
      [endpoint.id],
    );
    expect(row.enabled).toBe(false);
    expect(row.disabled_reason).toMatch(/failed for three days.*http_5xx: answered 500/);
    await t.sql('DELETE FROM webhook_endpoints WHERE id = $1', [endpoint.id]);
  });

  it('after a secret rotation, both secrets verify during the overlap', async () => {
    const endpoint = await createEndpoint(aliceHooks, ['post.published']);
    const rotated = await t
      .http()
      .post(`/api/webhooks/endpoints/${endpoint.id}/rotate-secret`)
      .set(bearer(aliceHooks))
      .expect(200);
    const { secret, previousSecretExpiresAt } = rotated.body as {
      secret: string;
      previousSecretExpiresAt: string;
    };
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(endpoint.secret);
    const overlap = new Date(previousSecretExpiresAt).getTime() - Date.now();
    expect(overlap).toBeGreaterThan(23.9 * 3600_000);
    expect(overlap).toBeLessThanOrEqual(24 * 3600_000);

    const start = since();
    const test = await t
      .http()
      .post(`/api/webhooks/endpoints/${endpoint.id}/test`)
      .set(bearer(aliceHooks))
      .expect(202);
    await deliver();
    const [hook] = receiver.received.slice(start);
    expect(hook.json).toMatchObject({ type: 'webhook.test', data: { endpointId: endpoint.id } });
    expect(hook.headers['webhook-id']).toBe((test.body as { webhookId: string }).webhookId);
    expect(String(hook.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(() => WebhookReceiver.verify(endpoint.secret, hook)).not.toThrow();
    expect(() => WebhookReceiver.verify(secret, hook)).not.toThrow();
    expect(() => WebhookReceiver.verify(`whsec_${'A'.repeat(32)}`, hook)).toThrow();

    // Once the overlap is over, only the new secret signs.
    await t.sql(
      `UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`,
      [endpoint.id],
    );
    const start2 = since();
    await t
      .http()
      .post(`/api/webhooks/endpoints/${endpoint.id}/test`)
      .set(bearer(aliceHooks))
      .expect(202);
    await deliver();
    const [later] = receiver.received.slice(start2);
    expect(() => WebhookReceiver.verify(secret, later)).not.toThrow();
    expect(() => WebhookReceiver.verify(endpoint.secret, later)).toThrow();
    await t.sql('DELETE FROM webhook_endpoints WHERE id = $1', [endpoint.id]);
  });

  it('a rolled-back change delivers nothing', async () => {
    const endpoint = await createEndpoint(aliceHooks, ['post.published']);
    const start = since();
    const events = t.running.app.get(DomainEvents);
    await t.db
      .transaction(async (tx) => {
        await tx.query(
          `INSERT INTO posts (reference_id, author_id, title, body, status) VALUES ('rolledback1', $1, 'x', 'y', 'PUBLISHED')`,
          [alice.id],
        );
        await events.record(tx, 'post.published', { postId: 'never' }, { recipients: [alice.id] });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    // And over HTTP: a post with an invalid place fails before anything is recorded.
    await t
      .http()
      .post('/api/posts')
      .set(bearer(alicePosts))
      .send({ title: 't', body: 'b', status: 'PUBLISHED', placeId: crypto.randomUUID() });
    await deliver();
    expect(receiver.received.length).toBe(start);
    expect(await deliveriesOf(endpoint.id)).toEqual([]);
    expect(await t.sql(`SELECT id FROM posts WHERE reference_id = 'rolledback1'`)).toEqual([]);
    await t.sql('DELETE FROM webhook_endpoints WHERE id = $1', [endpoint.id]);
  });

  it('redelivers one delivery under the same webhook-id', async () => {
    const endpoint = await createEndpoint(aliceHooks, ['post.published']);
    const start = since();
    await publish(alicePosts, 'Again please');
    await deliver();
    const [delivery] = await deliveriesOf(endpoint.id);
    const res = await t
      .http()
      .post(`/api/webhooks/deliveries/${delivery.id}/redeliver`)
      .set(bearer(aliceHooks))
      .expect(202);
    expect(res.body).toMatchObject({ id: delivery.id, status: 'pending' });
    // While a worker holds it (an attempt in flight), it cannot be queued again.
    await t.sql(
      `UPDATE webhook_deliveries SET lease_owner = 'elsewhere', lease_expires_at = now() + interval '1 minute' WHERE id = $1`,
      [delivery.id],
    );
    const busy = await t
      .http()
      .post(`/api/webhooks/deliveries/${delivery.id}/redeliver`)
      .set(bearer(aliceHooks));
    expect(busy.status).toBe(409);
    await t.sql(
      `UPDATE webhook_deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1`,
      [delivery.id],
    );
    await deliver();
    const got = receiver.received.slice(start);
    expect(got).toHaveLength(2);
    expect(got[0].headers['webhook-id']).toBe(got[1].headers['webhook-id']);
    const [after] = await deliveriesOf(endpoint.id);
    expect(after.status).toBe('succeeded');
    expect(after.attempts).toHaveLength(2);
    await t.sql('DELETE FROM webhook_endpoints WHERE id = $1', [endpoint.id]);
  });

  it('filters the delivery log by status', async () => {
    const endpoint = await createEndpoint(aliceHooks, ['post.published']);
    receiver.answer({ status: 500 });
    await publish(alicePosts, 'one fails');
    await deliver();
    await publish(alicePosts, 'one succeeds');
    await deliver();
    const pending = await t
      .http()
      .get(`/api/webhooks/endpoints/${endpoint.id}/deliveries?status=pending`)
      .set(bearer(aliceHooks))
      .expect(200);
    expect((pending.body as { items: Delivery[] }).items.map((d) => d.status)).toEqual(['pending']);
    const bad = await t
      .http()
      .get(`/api/webhooks/endpoints/${endpoint.id}/deliveries?status=lost`)
      .set(bearer(aliceHooks));
    expect(bad.status).toBe(400);
    await t.sql('DELETE FROM webhook_endpoints WHERE id = $1', [endpoint.id]);
  });
});

describe('events of other modules reach the people concerned', () => {
  beforeEach(clearEndpoints);
  it('sends token.created and token.revoked to the token owner only, without the token', async () => {
    const aliceEndpoint = await createEndpoint(aliceHooks, ['token.created', 'token.revoked']);
    const bobEndpoint = await createEndpoint(bobHooks, ['token.created', 'token.revoked']);
    const start = since();
    const created = await createToken(t, alice, ['posts:read'], { name: 'ci bot' });
    await t
      .http()
      .delete(`/api/tokens/${created.id}`)
      .set({ Cookie: alice.cookie, 'X-CSRF-Token': alice.csrfToken })
      .expect(204);
    await deliver();
    const got = receiver.received.slice(start);
    got.sort((a, b) => a.json.type.localeCompare(b.json.type));
    expect(got.map((r) => r.json.type)).toEqual(['token.created', 'token.revoked']);
    for (const hook of got) {
      WebhookReceiver.verify(aliceEndpoint.secret, hook);
      expect(hook.body).not.toContain(created.token);
    }
    expect(got[0].json.data).toMatchObject({
      tokenId: created.id,
      name: 'ci bot',
      scopes: ['posts:read'],
    });
    expect(got[1].json.data).toMatchObject({ tokenId: created.id, by: 'owner' });
    expect(await deliveriesOf(bobEndpoint.id, bobHooks)).toEqual([]);
    await t.sql('DELETE FROM webhook_endpoints WHERE id = ANY($1)', [
      [aliceEndpoint.id, bobEndpoint.id],
    ]);
  });

  it('sends reply events to both authors, and post.updated / post.deleted to the author', async () => {
    const aliceEndpoint = await createEndpoint(aliceHooks, [
      'reply.submitted',
      'reply.accepted',
      'reply.revision_requested',
      'post.updated',
      'post.deleted',
    ]);
    const bobEndpoint = await createEndpoint(bobHooks, ['reply.submitted', 'reply.accepted']);
    const post = await publish(alicePosts, 'Moderated', { requiresReplyApproval: true });
    const start = since();
    const reply = await publish(bobPosts, 'A reply', { parentPostId: post.id });
    await t
      .http()
      .post(`/api/posts/${post.id}/replies/${reply.id}/request-revision`)
      .set(bearer(alicePosts))
      .send({ note: 'Please cite a source.' })
      .expect(200);
    await t
      .http()
      .post(`/api/posts/${post.id}/replies/${reply.id}/accept`)
      .set(bearer(alicePosts))
      .expect(200);
    await t
      .http()
      .patch(`/api/posts/${post.id}`)
      .set(bearer(alicePosts))
      .send({ title: 'Moderated (edited)' })
      .expect(200);
    await t.http().delete(`/api/posts/${post.id}`).set(bearer(alicePosts)).expect(204);
    await deliver();
    const got = receiver.received.slice(start);
    const byEndpoint = (secret: string) =>
      got
        .filter((r) => {
          try {
            WebhookReceiver.verify(secret, r);
            return true;
          } catch {
            return false;
          }
        })
        .map((r) => r.json.type);
    expect(byEndpoint(aliceEndpoint.secret)).toEqual(
      expect.arrayContaining([
        'reply.submitted',
        'reply.revision_requested',
        'reply.accepted',
        'post.updated',
        'post.deleted',
      ]),
    );
    expect(byEndpoint(bobEndpoint.secret).sort()).toEqual(['reply.accepted', 'reply.submitted']);
    const revision = got.find((r) => r.json.type === 'reply.revision_requested')!;
    expect(revision.json.data).toMatchObject({ replyId: reply.id, note: 'Please cite a source.' });
    const submitted = got.find((r) => r.json.type === 'reply.submitted')!;
    expect(submitted.json.data).toEqual({
      replyId: reply.id,
      postId: post.id,
      authorId: bob.id,
      postAuthorId: alice.id,
      replyState: 'awaiting_review',
    });
    expect(submitted.body).not.toContain('secret body');
    const updated = got.find((r) => r.json.type === 'post.updated')!;
    expect(updated.json.data).toMatchObject({ postId: post.id, changed: ['title'] });
  });
});

describe('ownership', () => {
  it("another user's endpoint and delivery are a 404, and nothing changes", async () => {
    const endpoint = await createEndpoint(aliceHooks, ['post.published']);
    await publish(alicePosts, 'Alice only');
    await deliver();
    const [delivery] = await deliveriesOf(endpoint.id);
    const before = await databaseState(t);
    const calls = [
      t.http().get(`/api/webhooks/endpoints/${endpoint.id}`),
      t.http().patch(`/api/webhooks/endpoints/${endpoint.id}`).send({ enabled: false }),
      t.http().delete(`/api/webhooks/endpoints/${endpoint.id}`),
      t.http().post(`/api/webhooks/endpoints/${endpoint.id}/rotate-secret`),
      t.http().post(`/api/webhooks/endpoints/${endpoint.id}/test`),
      t.http().get(`/api/webhooks/endpoints/${endpoint.id}/deliveries`),
      t.http().post(`/api/webhooks/deliveries/${delivery.id}/redeliver`),
    ];
    for (const call of calls) {
      const res = await call.set(bearer(bobHooks));
      expect(res.status, res.text).toBe(404);
      expect(res.body).toMatchObject({ code: 'not_found' });
    }
    const list = await t.http().get('/api/webhooks/endpoints').set(bearer(bobHooks)).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(endpoint.id);
    expect(await databaseState(t)).toEqual(before);
  });

  it('refuses a PAT without webhooks:manage, and nothing changes', async () => {
    const before = await databaseState(t);
    const res = await t
      .http()
      .post('/api/webhooks/endpoints')
      .set(bearer(alicePosts))
      .send({ url: receiver.url, events: ['post.published'] });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      code: 'insufficient_scope',
      requiredScopes: ['webhooks:manage'],
    });
    expect(await databaseState(t)).toEqual(before);
  });
});

describe('SSRF defence without WEBHOOK_ALLOW_PRIVATE_TARGETS', () => {
  let strict: TestApp;
  let carol: SignedInUser;
  let carolHooks: string;
  beforeAll(async () => {
    strict = await createTestApp({ env: { BACKGROUND_WORK: 'false' } });
    carol = await signUp(strict);
    carolHooks = (await createToken(strict, carol, ['webhooks:manage'])).token;
  });
  afterAll(() => strict?.close());

  it('refuses http:// and private or loopback targets when registering', async () => {
    const before = await databaseState(strict);
    for (const url of [
      receiver.url,
      'https://127.0.0.1/hooks',
      'https://localhost/hooks',
      'https://10.0.0.8/hooks',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hooks',
      'https://user:pw@hooks.example.com/',
    ]) {
      const res = await strict
        .http()
        .post('/api/webhooks/endpoints')
        .set(bearer(carolHooks))
        .send({ url, events: ['post.published'] });
      expect(res.status, url).toBe(400);
      expect(res.body, url).toMatchObject({ errors: [{ field: 'url' }] });
    }
    expect(await databaseState(strict)).toEqual(before);
  });

  it('refuses at connect time a target that resolves to a private address, as a clear endpoint error', async () => {
    const endpoint = (
      await strict
        .http()
        .post('/api/webhooks/endpoints')
        .set(bearer(carolHooks))
        .send({ url: 'https://hooks.example.com/in', events: ['post.published'] })
        .expect(201)
    ).body as Endpoint;
    // As if its DNS now answered with loopback (rebinding): the address check is at connect time.
    await strict.sql('UPDATE webhook_endpoints SET url = $2 WHERE id = $1', [
      endpoint.id,
      receiver.url,
    ]);
    const start = since();
    await strict
      .http()
      .post(`/api/webhooks/endpoints/${endpoint.id}/test`)
      .set(bearer(carolHooks))
      .expect(202);
    await deliver(strict);
    expect(receiver.received.length).toBe(start);
    const view = await strict
      .http()
      .get(`/api/webhooks/endpoints/${endpoint.id}`)
      .set(bearer(carolHooks))
      .expect(200);
    expect((view.body as Endpoint).lastError).toMatch(/^blocked: refused: .*127\.0\.0\.1/);
    const log = await strict
      .http()
      .get(`/api/webhooks/endpoints/${endpoint.id}/deliveries`)
      .set(bearer(carolHooks))
      .expect(200);
    expect((log.body as { items: Delivery[] }).items[0]).toMatchObject({
      status: 'pending',
      attempts: [{ responseStatus: null, errorClass: 'blocked' }],
    });
  });
});

describe('catalog', () => {
  const TYPES = [
    'membership.joined',
    'membership.left',
    'post.deleted',
    'post.published',
    'post.updated',
    'reply.accepted',
    'reply.revision_requested',
    'reply.submitted',
    'token.created',
    'token.revoked',
    'webhook.test',
  ];

  it('publishes every event type with its schema as webhookEvents, and the register workflow', async () => {
    const res = await t.http().get('/api/programmatic/catalog').expect(200);
    const catalog = res.body as {
      webhookEvents: { type: string; summary: string; schema: { type: string } }[];
      workflows: { id: string; steps: { endpoint: string }[] }[];
    };
    const types = catalog.webhookEvents.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(TYPES));
    for (const event of catalog.webhookEvents) {
      expect(event.summary.length, event.type).toBeGreaterThan(10);
      expect(event.schema.type, event.type).toBe('object');
    }
    expect(
      catalog.workflows
        .find((w) => w.id === 'register_webhook_endpoint')
        ?.steps.map((s) => s.endpoint),
    ).toEqual([
      'webhooks.endpoints.create',
      'webhooks.endpoints.test',
      'webhooks.deliveries.list',
      'webhooks.deliveries.redeliver',
    ]);
  });

  it('describes each event in the OpenAPI document’s top-level webhooks map', async () => {
    const res = await t.http().get('/api/openapi.json').expect(200);
    const doc = res.body as {
      openapi: string;
      webhooks: Record<
        string,
        {
          post: {
            requestBody: {
              content: Record<string, { schema: { properties: Record<string, unknown> } }>;
            };
            parameters: { name: string }[];
          };
        }
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.webhooks)).toEqual(expect.arrayContaining(TYPES));
    const published = doc.webhooks['post.published'].post;
    expect(published.parameters.map((p) => p.name)).toEqual([
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ]);
    expect(published.requestBody.content['application/json'].schema.properties).toMatchObject({
      type: { const: 'post.published' },
      data: { properties: { postId: { format: 'uuid' } } },
    });
  });
});
