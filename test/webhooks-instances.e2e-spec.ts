import { bearer, createToken, signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Two instances on one PostgreSQL database, both running their relay and delivery loops, share
 * 200 events' deliveries: every one is delivered, and no attempt is sent twice (one attempt row
 * and one request per delivery). PostgreSQL only: the embedded database is one process's own.
 */
const onPostgres = Boolean(process.env.DATABASE_URL);

describe.runIf(onPostgres)('two instances deliver 200 events with no duplicate attempt', () => {
  let first: TestApp;
  let second: TestApp;
  let receiver: WebhookReceiver;
  const env = {
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    EVENTS_POLL_MS: '20',
    // Instances of one deployment share the secrets key (README), or one could not sign.
    SECRETS_KEY: Buffer.alloc(32, 3).toString('base64'),
  };

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    first = await createTestApp({ env });
    second = await createTestApp({ env, sameDatabaseAs: first });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await receiver?.close();
  });

  it('delivers each event exactly once between them', async () => {
    const alice = await signUp(first);
    const hooks = (await createToken(first, alice, ['webhooks:manage'])).token;
    const posts = (await createToken(first, alice, ['posts:write'])).token;
    const endpoint = (
      await first
        .http()
        .post('/api/webhooks/endpoints')
        .set(bearer(hooks))
        .send({ url: receiver.url, events: ['post.published'] })
        .expect(201)
    ).body as { id: string; secret: string };

    const EVENTS = 200;
    for (let batch = 0; batch < EVENTS; batch += 20)
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? first : second)
            .http()
            .post('/api/posts')
            .set(bearer(posts))
            .send({ title: `event ${batch + i}`, body: 'b', status: 'PUBLISHED' })
            .expect(201),
        ),
      );

    const deadline = Date.now() + 60_000;
    const succeeded = async () =>
      Number(
        (
          await first.sql<{ n: string }>(
            `SELECT count(*) AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'succeeded'`,
            [endpoint.id],
          )
        )[0].n,
      );
    while ((await succeeded()) < EVENTS && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await succeeded()).toBe(EVENTS);

    const ids = receiver.received.map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(EVENTS);
    expect(new Set(ids).size).toBe(EVENTS);
    for (const hook of receiver.received) WebhookReceiver.verify(endpoint.secret, hook);
    const attempts = await first.sql<{ delivery_id: string; n: string }>(
      `SELECT a.delivery_id, count(*) AS n FROM webhook_delivery_attempts a
         JOIN webhook_deliveries d ON d.id = a.delivery_id
        WHERE d.endpoint_id = $1 GROUP BY a.delivery_id HAVING count(*) > 1`,
      [endpoint.id],
    );
    expect(attempts).toEqual([]);
    const workers = await first.sql<{ worker: string }>(
      'SELECT DISTINCT worker FROM webhook_delivery_attempts',
    );
    // Both instances took part (each delivery worker names its instance).
    expect(workers.length).toBe(2);
  }, 120_000);
});
