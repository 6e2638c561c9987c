import { createServer, type Server, type Socket, connect } from 'node:net';
import { bearer, createToken, type SignedInUser, signUp } from '../support/actors.js';
import { freePort } from '../support/app-process.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const REDIS_URL = process.env.REDIS_URL;
const LIMIT = 5;

if (!REDIS_URL) console.warn('redis-outage: skipped; it needs REDIS_URL.');

/**
 * A TCP relay in front of the real Redis that the test can cut and restore, so "Redis goes down"
 * happens to this app alone (the Redis server is shared with other test files).
 */
class CuttableRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly target: URL,
  ) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 6379), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
  }

  /** Redis is gone: open connections drop, new ones are refused. */
  async cut(): Promise<void> {
    const closed = new Promise((r) => this.server!.close(r));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

describe.skipIf(!REDIS_URL)('Redis unavailable: rate limits fail open', () => {
  let relay: CuttableRelay;
  let t: TestApp;
  let user: SignedInUser;

  const me = async (token: string) => {
    const started = Date.now();
    const res = await t.http().get('/api/me').set(bearer(token));
    return { status: res.status, ms: Date.now() - started };
  };
  const readiness = async () =>
    (await t.http().get('/api/health/ready')).body as {
      status: string;
      info: { rateLimits: { status: string; store: string; failOpenCount: number } };
    };

  beforeAll(async () => {
    relay = new CuttableRelay(await freePort(), new URL(REDIS_URL!));
    await relay.open();
    t = await createTestApp({
      env: {
        REDIS_URL: `redis://127.0.0.1:${relay.port}`,
        RATE_LIMIT_PER_MINUTE: String(LIMIT),
        ANONYMOUS_RATE_LIMIT_PER_MINUTE: '10000',
      },
    });
    user = await signUp(t);
  });
  afterAll(async () => {
    await t?.close();
    await relay?.cut().catch(() => undefined);
  });

  it('counts in Redis, serves every request while Redis is gone (counted, shown on readiness), and counts again when it is back', async () => {
    const { token } = await createToken(t, user, ['posts:read']);
    expect(await readiness()).toMatchObject({
      status: 'ok',
      info: { rateLimits: { status: 'up', store: 'redis', failOpenCount: 0 } },
    });
    const counted = [];
    for (let i = 0; i < LIMIT + 1; i++) counted.push((await me(token)).status);
    expect(counted).toEqual([...Array<number>(LIMIT).fill(200), 429]);

    await relay.cut();
    const during = [];
    for (let i = 0; i < 10; i++) during.push(await me(token));
    // Served, not refused: the counter store is down, not the API. And without waiting on Redis.
    expect(during.map((x) => x.status)).toEqual(Array<number>(10).fill(200));
    expect(Math.max(...during.map((x) => x.ms))).toBeLessThan(2_000);
    const degraded = await readiness();
    expect(degraded).toMatchObject({
      status: 'degraded',
      info: { rateLimits: { status: 'degraded', store: 'redis' } },
    });
    expect(degraded.info.rateLimits.failOpenCount).toBeGreaterThanOrEqual(10);

    await relay.open();
    // The client reconnects by itself (at most 2 s between attempts); the block set before the
    // outage is still in Redis, so the same token is refused again.
    await expect
      .poll(async () => (await readiness()).info.rateLimits.status, { timeout: 8_000 })
      .toBe('up');
    expect((await me(token)).status).toBe(429);
  });

  it('starts and serves when Redis cannot be reached at all', async () => {
    const down = await createTestApp({
      env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, RATE_LIMIT_PER_MINUTE: '2' },
    });
    try {
      const someone = await signUp(down);
      const { token } = await createToken(down, someone, ['posts:read']);
      for (let i = 0; i < 5; i++) await down.http().get('/api/me').set(bearer(token)).expect(200);
      const ready = await down.http().get('/api/health/ready').expect(200);
      expect(ready.body).toMatchObject({ info: { rateLimits: { status: 'degraded' } } });
    } finally {
      await down.close();
    }
  });
});
