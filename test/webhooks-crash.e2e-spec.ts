import { Client } from 'pg';
import request from 'supertest';
import { sessionCookie } from './support/actors.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { ServerProcess } from './support/server-process.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * kill -9 mid-delivery: the server runs as a child process (the built `dist/`), commits an event
 * whose receiver is slow, is killed while the POST is in flight, and is started again on the same
 * database. The delivery's lease runs out and the restarted server sends it again, under the same
 * webhook-id: delivered, nothing lost. On PostgreSQL and on the embedded default (whose data
 * directory then has to survive the kill too).
 */
const onPostgres = Boolean(process.env.DATABASE_URL);

describe('webhook delivery survives kill -9 mid-delivery', () => {
  let database: TestDatabase;
  let receiver: WebhookReceiver;
  let server: ServerProcess;
  let db: Client | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = await new WebhookReceiver().start();
    if (onPostgres) {
      db = new Client({ connectionString: database.databaseUrl });
      await db.connect();
    }
  });
  afterAll(async () => {
    await server?.kill();
    await db?.end();
    await receiver?.close();
    await database?.drop();
  });

  it('delivers the event after a restart, under the same webhook-id', async () => {
    const env: Record<string, string> = {
      ...(onPostgres ? { DATABASE_URL: database.databaseUrl! } : {}),
      DATA_DIR: database.dataDir,
      LOG_LEVEL: 'warn',
      TOKEN_PEPPER: 'crash-test-pepper-0123456789abcdefghijklmnop',
      SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      // A 2 s deadline gives a 4 s lease, so the restarted server may re-claim soon.
      WEBHOOK_TIMEOUT_MS: '2000',
      EVENTS_POLL_MS: '50',
    };
    server = new ServerProcess(await ServerProcess.freePort(), env);
    await server.start();
    const api = () => request(server.baseUrl);

    const signup = await api()
      .post('/api/auth/signup')
      .send({
        email: 'crash@example.com',
        password: 'correct horse battery staple',
        displayName: 'Crash',
      })
      .expect(201);
    const session = {
      Cookie: sessionCookie(signup.headers['set-cookie']),
      'X-CSRF-Token': (signup.body as { csrfToken: string }).csrfToken,
    };
    const token = (
      await api()
        .post('/api/tokens')
        .set(session)
        .send({ name: 'crash', scopes: ['webhooks:manage', 'posts:write'] })
        .expect(201)
    ).body as { token: string };
    const auth = { Authorization: `Bearer ${token.token}` };
    const endpoint = (
      await api()
        .post('/api/webhooks/endpoints')
        .set(auth)
        .send({ url: receiver.url, events: ['post.published'] })
        .expect(201)
    ).body as { id: string; secret: string };

    // The first POST hangs: the server is killed while waiting for it.
    receiver.answer({ status: 200, delayMs: 60_000 });
    const post = (
      await api()
        .post('/api/posts')
        .set(auth)
        .send({ title: 'Crash me', body: 'b', status: 'PUBLISHED' })
        .expect(201)
    ).body as { id: string };
    await until(() => receiver.received.length >= 1, 15_000, server);
    await server.kill();

    if (db) {
      // The killed process's claim: leased, counted, not finished.
      const [leased] = (
        await db.query<{ status: string; lease_owner: string | null; attempts: number }>(
          'SELECT status, lease_owner, attempts FROM webhook_deliveries WHERE endpoint_id = $1',
          [endpoint.id],
        )
      ).rows;
      expect(leased).toMatchObject({ status: 'pending', attempts: 1 });
      expect(leased.lease_owner).not.toBeNull();
    }

    // Same database, same secrets key: a new process, as after a crash and restart.
    server = new ServerProcess(await ServerProcess.freePort(), env);
    await server.start();
    const log = async () =>
      (
        (await api().get(`/api/webhooks/endpoints/${endpoint.id}/deliveries`).set(auth).expect(200))
          .body as {
          items: { status: string; attempts: { responseStatus: number | null }[] }[];
        }
      ).items;
    await until(async () => (await log())[0]?.status === 'succeeded', 30_000, server);

    const got = receiver.ofType('post.published');
    expect(got).toHaveLength(2);
    expect(got[0].headers['webhook-id']).toBe(got[1].headers['webhook-id']);
    expect(got[1].json.data).toMatchObject({ postId: post.id });
    for (const hook of got) WebhookReceiver.verify(endpoint.secret, hook);
    // The killed attempt left no record (it never finished); the retry did.
    const [delivery] = await log();
    expect(delivery.attempts.map((a) => a.responseStatus)).toEqual([200]);
  }, 120_000);
});

async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  server: ServerProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out; server log:\n${server.log}`);
}
