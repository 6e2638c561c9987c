import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';
import { bearer, createToken, signUp } from './support/actors.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import type { TestApp } from './support/test-app.js';
import { createPost, pollRun } from './support/workspace.js';

/**
 * kill -9 of the server while a run is RUNNING: the run's lease runs out, the restarted server
 * claims it again and it ends terminal — one run, one end, one event; a run queued behind it
 * survives the restart too. The server is a real child process started from the sources
 * (test/support/ts-loader), on PostgreSQL (the embedded database lives inside the process that
 * is killed, so this is about PostgreSQL deployments).
 */

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

describe.skipIf(!process.env.DATABASE_URL)('a server killed with SIGKILL mid-run', () => {
  let database: TestDatabase;
  let db: Client;
  let port: number;
  let child: ChildProcess | undefined;

  const startServer = async () => {
    const proc = spawn(
      process.execPath,
      ['--import', './test/support/ts-loader/register.mjs', 'src/main.ts'],
      {
        env: {
          ...process.env,
          DATABASE_URL: database.databaseUrl,
          DATA_DIR: database.dataDir,
          PORT: String(port),
          PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
          LOG_LEVEL: 'error',
          TOKEN_PEPPER: 'crash-test-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
          WORKSPACE_RUN_LEASE_MS: '1000',
          WORKSPACE_RUN_CONCURRENCY: '1',
          EVENTS_POLL_MS: '50',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    let exited = false;
    proc.once('exit', () => (exited = true));
    const deadline = Date.now() + 110_000;
    for (;;) {
      if (exited) throw new Error('the server exited before it became ready');
      const ok = await fetch(`http://127.0.0.1:${port}/api/health/ready`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return proc;
      if (Date.now() > deadline) throw new Error('the server did not become ready');
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const kill9 = (proc: ChildProcess) =>
    new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Client({ connectionString: database.databaseUrl });
    await db.connect();
    port = await freePort();
  });
  afterAll(async () => {
    if (child && child.exitCode === null) await kill9(child);
    await db?.end();
    await database?.drop();
  });

  it('retries the RUNNING run after the restart: it ends SUCCEEDED once, and the queued one runs too', async () => {
    child = await startServer();
    const t = { http: () => request(`http://127.0.0.1:${port}`) } as unknown as TestApp;
    const alice = await signUp(t);
    const run = bearer((await createToken(t, alice, ['workspaces:run'])).token);
    const post = await createPost(t, alice);
    const queue = async (prompt: string, idempotencyKey: string) =>
      (
        await t
          .http()
          .post('/api/workspace/automations/runs')
          .set(run)
          .send({ postId: post, prompt, idempotencyKey })
          .expect(202)
      ).body as { id: string };

    const slow = await queue('Long job [[sleep: 3000]]', 'crash-slow');
    const status = async (id: string) =>
      (
        await db.query<{ status: string; lease_owner: string | null }>(
          'SELECT status, lease_owner FROM automation_runs WHERE id = $1',
          [id],
        )
      ).rows[0];
    const deadline = Date.now() + 20_000;
    while ((await status(slow.id)).status !== 'RUNNING') {
      if (Date.now() > deadline) throw new Error('the run never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    // Concurrency 1: this one waits in the queue behind the slow one.
    const queued = await queue('Queued behind', 'crash-queued');

    await kill9(child);
    expect(await status(slow.id)).toMatchObject({
      status: 'RUNNING',
      lease_owner: expect.any(String) as unknown,
    });
    expect((await status(queued.id)).status).toBe('QUEUED');

    child = await startServer();
    const done = await pollRun(t, run, slow.id, 60_000);
    expect(done).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(done.attempts).toBe(2);
    expect((await pollRun(t, run, queued.id, 60_000)).status).toBe('SUCCEEDED');

    const rows = await db.query(
      `SELECT id FROM automation_runs WHERE idempotency_key IN ('crash-slow', 'crash-queued')`,
    );
    expect(rows.rowCount).toBe(2);
    const events = await db.query<{ type: string }>(
      `SELECT type FROM domain_events WHERE data->>'runId' = $1`,
      [slow.id],
    );
    expect(events.rows.map((e) => e.type)).toEqual(['automation_run.succeeded']);
  }, 240_000);
});
