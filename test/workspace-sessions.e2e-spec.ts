import { AI_CREDIT_ALLOWANCE, AiCredits } from '../src/modules/billing/index.js';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { vi } from 'vitest';
import { Clock } from '../src/common/index.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { databaseState } from './support/route-matrix.js';
import { useTestApp } from './support/test-app.js';
import { createPost } from './support/workspace.js';

/**
 * Workspace sessions (resume, limits, credits, busy controllers, close, expiry) and bindings
 * (write-only values, PAT references, names, and a pg_dump that holds no value).
 */

const t = useTestApp({
  env: {
    BACKGROUND_WORK: 'false',
    WORKSPACE_SESSION_LIMIT: '2',
    WORKSPACE_LOCAL_CAPACITY: '3',
    WORKSPACE_SESSION_IDLE_SECONDS: '600',
  },
});
let alice: SignedInUser;
let manage: Record<string, string>;

beforeAll(async () => {
  alice = await signUp(t);
  manage = bearer((await createToken(t, alice, ['workspaces:manage'])).token);
});
afterEach(() => vi.restoreAllMocks());

const start = (headers: Record<string, string>, postId: string, mode = 'EDIT') =>
  t.http().post('/api/workspace/sessions').set(headers).send({ postId, mode });
const closeAll = (headers: Record<string, string>) =>
  t.http().post('/api/workspace/sessions/close-all').set(headers).send({}).expect(200);

describe('sessions', () => {
  it('resumes the active session of the same post, user and mode instead of starting another', async () => {
    const post = await createPost(t, alice);
    const first = await start(manage, post).expect(201);
    expect(first.body).toMatchObject({
      postId: post,
      mode: 'EDIT',
      status: 'ACTIVE',
      resumed: false,
      controller: 'local',
    });
    expect(first.body.url).toMatch(/^local:\/\/workspace\//);
    const again = await start(manage, post).expect(201);
    expect(again.body).toMatchObject({ id: first.body.id, resumed: true });
    const view = await start(manage, post, 'VIEW').expect(201);
    expect(view.body).toMatchObject({ resumed: false, mode: 'VIEW' });
    expect(view.body.id).not.toBe(first.body.id);
    const rows = await t.sql('SELECT id FROM workspace_sessions WHERE post_id = $1', [post]);
    expect(rows).toHaveLength(2);
    expect((await closeAll(manage)).body).toEqual({ closed: 2, failed: 0 });
  });

  it('refuses a session beyond the per-user limit with 429 concurrency_limit, starting nothing', async () => {
    const posts = [
      await createPost(t, alice),
      await createPost(t, alice),
      await createPost(t, alice),
    ];
    await start(manage, posts[0]).expect(201);
    await start(manage, posts[1]).expect(201);
    const before = await databaseState(t);
    const res = await start(manage, posts[2]);
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ code: 'concurrency_limit', limit: 2, active: 2 });
    expect(await databaseState(t)).toEqual(before);
    // Resuming one of the two is still fine at the limit.
    expect((await start(manage, posts[0]).expect(201)).body.resumed).toBe(true);
    await closeAll(manage);
  });

  it('answers 503 controllers_busy with Retry-After when the controller is full', async () => {
    const users = [await signUp(t), await signUp(t)];
    const tokens = await Promise.all(
      users.map(async (u) => bearer((await createToken(t, u, ['workspaces:manage'])).token)),
    );
    const posts = await Promise.all(users.map((u) => createPost(t, u)));
    // Capacity 3: two for the first user, one for the second, then the controller is full.
    await start(tokens[0], posts[0], 'EDIT').expect(201);
    await start(tokens[0], posts[0], 'VIEW').expect(201);
    await start(tokens[1], posts[1], 'EDIT').expect(201);
    const before = await databaseState(t);
    const res = await start(tokens[1], posts[1], 'VIEW');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.body).toMatchObject({ code: 'controllers_busy' });
    expect(await databaseState(t)).toEqual(before);
    await closeAll(tokens[0]);
    await closeAll(tokens[1]);
  });

  it('answers 402 credits_required when the credit balance is exhausted, starting nothing', async () => {
    const post = await createPost(t, alice);
    // Spend this month's whole Free allowance (Billing's balance: allowance minus spends).
    const spend = await t.sql<{ id: string }>(
      `INSERT INTO ai_credit_spends (user_id, amount, reason) VALUES ($1, $2, 'test: exhaust') RETURNING id`,
      [alice.id, AI_CREDIT_ALLOWANCE.free],
    );
    try {
      expect(await t.running.app.get(AiCredits).aiCreditBalance(alice.id)).toBe(0);
      const before = await databaseState(t);
      const res = await start(manage, post);
      expect(res.status).toBe(402);
      expect(res.body).toMatchObject({ code: 'credits_required' });
      expect(await databaseState(t)).toEqual(before);
    } finally {
      await t.sql('DELETE FROM ai_credit_spends WHERE id = $1', [spend[0].id]);
    }
    // With credits left, the same start succeeds.
    await start(manage, post).expect(201);
    await closeAll(manage);
  });

  it('lists by post and status; idle expiry ends a session, and close is idempotent', async () => {
    const post = await createPost(t, alice);
    const s = (await start(manage, post).expect(201)).body as { id: string };
    const list = async (q: string) =>
      (
        (await t.http().get(`/api/workspace/sessions?postId=${post}&${q}`).set(manage).expect(200))
          .body as {
          items: { id: string; status: string }[];
        }
      ).items.map((i) => [i.id, i.status]);
    expect(await list('status=ACTIVE')).toEqual([[s.id, 'ACTIVE']]);
    vi.spyOn(t.running.app.get(Clock), 'now').mockReturnValue(new Date(Date.now() + 601_000));
    expect(await list('status=ACTIVE')).toEqual([]);
    expect(await list('status=EXPIRED')).toEqual([[s.id, 'EXPIRED']]);
    // An expired session is not resumed: a new one starts.
    const next = await start(manage, post).expect(201);
    expect(next.body).toMatchObject({ resumed: false });
    vi.restoreAllMocks();
    const closed = await t
      .http()
      .post(`/api/workspace/sessions/${next.body.id}/close`)
      .set(manage)
      .expect(200);
    expect(closed.body).toMatchObject({
      status: 'CLOSED',
      closedAt: expect.any(String) as unknown,
    });
    await t.http().post(`/api/workspace/sessions/${next.body.id}/close`).set(manage).expect(200);
    expect(await list('status=CLOSED')).toEqual([[next.body.id, 'CLOSED']]);
    const bad = await t.http().get('/api/workspace/sessions?status=OPEN').set(manage);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('status');
  });
});

describe('bindings', () => {
  const SECRET = 'sk_live_do-not-leak-4b1d2c9e7f';
  let post: string;
  beforeAll(async () => {
    post = await createPost(t, alice);
  });
  const put = (name: string, body: Record<string, unknown>) =>
    t.http().put(`/api/workspace/${post}/bindings/${name}`).set(manage).send(body);

  it('stores a value write-only and encrypted, a PAT by reference, and lists names only', async () => {
    const res = await put('STRIPE_KEY', { value: SECRET }).expect(200);
    expect(res.body).toMatchObject({ name: 'STRIPE_KEY', kind: 'VALUE', tokenId: null });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    const agentToken = await createToken(t, alice, ['posts:read'], { name: 'agent' });
    await put('GPX_TOKEN', { tokenId: agentToken.id }).expect(200);
    const list = await t.http().get(`/api/workspace/${post}/bindings`).set(manage).expect(200);
    expect(list.body.items.map((b: { name: string; kind: string }) => [b.name, b.kind])).toEqual([
      ['GPX_TOKEN', 'TOKEN'],
      ['STRIPE_KEY', 'VALUE'],
    ]);
    expect(JSON.stringify(list.body)).not.toContain(SECRET);
    const [row] = await t.sql<{ sealed_value: string }>(
      `SELECT sealed_value FROM workspace_bindings WHERE post_id = $1 AND name = 'STRIPE_KEY'`,
      [post],
    );
    expect(row.sealed_value).toMatch(/^v1\./);
    expect(row.sealed_value).not.toContain(SECRET);
    // Replacing keeps one row.
    await put('STRIPE_KEY', { value: 'rotated' }).expect(200);
    expect(
      await t.sql(`SELECT 1 FROM workspace_bindings WHERE post_id = $1 AND name = 'STRIPE_KEY'`, [
        post,
      ]),
    ).toHaveLength(1);
    await put('STRIPE_KEY', { value: SECRET }).expect(200);
  });

  it('refuses bad names, both or neither of value/tokenId, and someone else’s token, changing nothing', async () => {
    const bob = await signUp(t);
    const bobToken = await createToken(t, bob, ['posts:read']);
    const before = await databaseState(t);
    for (const [name, body, field] of [
      ['lower_case', { value: 'x' }, 'name'],
      ['A'.repeat(65), { value: 'x' }, 'name'],
      ['DASH-ED', { value: 'x' }, 'name'],
      ['OK', {}, 'value'],
      ['OK', { value: 'x', tokenId: bobToken.id }, 'value'],
      ['OK', { tokenId: bobToken.id }, 'tokenId'],
      ['OK', { value: '' }, 'value'],
    ] as const) {
      const res = await put(name, body);
      expect(res.status, `${name} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await databaseState(t)).toEqual(before);
  });

  it('deletes a binding; deleting an unknown one is 404', async () => {
    await put('TEMP', { value: 'x' }).expect(200);
    await t.http().delete(`/api/workspace/${post}/bindings/TEMP`).set(manage).expect(204);
    await t.http().delete(`/api/workspace/${post}/bindings/TEMP`).set(manage).expect(404);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'leaves no binding value in a pg_dump of the database',
    async () => {
      const pgDump = [
        '/usr/bin/pg_dump',
        ...['17', '16', '15'].map((v) => `/usr/lib/postgresql/${v}/bin/pg_dump`),
      ].find((p) => existsSync(p));
      expect(pgDump, 'pg_dump is installed with the PostgreSQL server').toBeDefined();
      const { stdout } = await promisify(execFile)(pgDump!, ['--data-only', t.databaseUrl!], {
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(stdout).toContain('workspace_bindings'); // the table was dumped…
      expect(stdout).toContain('STRIPE_KEY');
      expect(stdout).not.toContain(SECRET); // …without the value
      expect(stdout).not.toContain(Buffer.from(SECRET).toString('base64'));
      expect(stdout).not.toContain(Buffer.from(SECRET).toString('hex'));
    },
  );
});
