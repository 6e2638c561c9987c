import { localResult } from '../src/modules/workspace/controller/local-workspace-controller.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { databaseState } from './support/route-matrix.js';
import { useTestApp } from './support/test-app.js';
import { createPost, pollRun, type RunBody } from './support/workspace.js';

/**
 * Automation runs through the built-in local controller: idempotency, the states a run can end
 * in (SUCCEEDED, FAILED, TIMED_OUT, CANCELLED), the domain events of its end, and the internal
 * route a controller reports progress on.
 */

const INTERNAL = 'internal-token-0123456789abcdefghijklmnopqrstuvwxyz';
const t = useTestApp({
  env: {
    INTERNAL_API_TOKEN: INTERNAL,
    WORKSPACE_RUN_TIMEOUT_MS: '1500',
    EVENTS_POLL_MS: '20',
  },
});
let alice: SignedInUser;
let run: Record<string, string>;
let post: string;
let n = 0;

beforeAll(async () => {
  alice = await signUp(t);
  run = bearer((await createToken(t, alice, ['workspaces:run'])).token);
  post = await createPost(t, alice);
});

const queue = async (prompt: string, key = `k-${++n}`) => {
  const res = await t
    .http()
    .post('/api/workspace/automations/runs')
    .set(run)
    .send({ postId: post, prompt, idempotencyKey: key });
  expect(res.status, res.text).toBe(202);
  return res.body as RunBody;
};
const runRows = () => t.sql<{ n: number }>('SELECT count(*)::int AS n FROM automation_runs');
const eventsOf = (runId: string) =>
  t.sql<{ type: string; recipients: string[]; data: Record<string, unknown> }>(
    `SELECT type, recipients, data FROM domain_events WHERE data->>'runId' = $1`,
    [runId],
  );
const waitFor = async (check: () => Promise<boolean>, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** Waits until the worker has nothing queued or running, so the database holds still. */
const settle = () =>
  waitFor(
    async () =>
      (await t.sql(`SELECT 1 FROM automation_runs WHERE status IN ('QUEUED', 'RUNNING')`))
        .length === 0,
    'the worker to go idle',
  );

describe('a run through the local controller', () => {
  it('is queued (202), then SUCCEEDED with the deterministic local result and an event', async () => {
    const prompt = 'Summarise this week’s sales';
    const queued = await queue(prompt);
    expect(queued).toMatchObject({
      status: 'QUEUED',
      postId: post,
      prompt,
      controller: 'local',
      trigger: { type: 'API', ruleId: null },
      output: null,
      startedAt: null,
      finishedAt: null,
    });
    const done = await pollRun(t, run, queued.id);
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      output: localResult(prompt),
      error: null,
      attempts: 1,
    });
    expect(Date.parse(done.startedAt as string)).toBeLessThanOrEqual(
      Date.parse(done.finishedAt as string),
    );
    const [row] = await t.sql(
      'SELECT status, owner_id, lease_owner FROM automation_runs WHERE id = $1',
      [queued.id],
    );
    expect(row).toEqual({ status: 'SUCCEEDED', owner_id: alice.id, lease_owner: null });
    expect(await eventsOf(queued.id)).toEqual([
      {
        type: 'automation_run.succeeded',
        recipients: [alice.id],
        data: expect.objectContaining({
          runId: queued.id,
          postId: post,
          status: 'SUCCEEDED',
          trigger: 'API',
        }) as unknown,
      },
    ]);
  });

  it('ends FAILED with the executor’s error, and records automation_run.failed', async () => {
    const queued = await queue('Do the thing [[fail: the build broke]]');
    const done = await pollRun(t, run, queued.id);
    expect(done).toMatchObject({ status: 'FAILED', error: 'the build broke', output: null });
    expect((await eventsOf(queued.id)).map((e) => [e.type, e.data.status])).toEqual([
      ['automation_run.failed', 'FAILED'],
    ]);
  });

  it('ends TIMED_OUT when it runs past WORKSPACE_RUN_TIMEOUT_MS', async () => {
    const queued = await queue('Take forever [[sleep: 60000]]');
    const done = await pollRun(t, run, queued.id);
    expect(done.status).toBe('TIMED_OUT');
    expect(done.error).toMatch(/did not finish within 1500 ms/);
    expect((await eventsOf(queued.id)).map((e) => [e.type, e.data.status])).toEqual([
      ['automation_run.failed', 'TIMED_OUT'],
    ]);
  });
});

describe('a run whose worker vanished (its lease ran out)', () => {
  /** A RUNNING row as a killed process leaves it: leased to a worker that is gone. */
  const orphan = async (key: string, attempts: number, deadlineMs: number) => {
    const [row] = await t.sql<{ id: string }>(
      `INSERT INTO automation_runs
         (post_id, owner_id, trigger_type, status, prompt, workload_profile, idempotency_key,
          request_digest, controller, started_at, deadline_at, run_at, lease_owner,
          lease_expires_at, attempts)
       VALUES ($1, $2, 'API', 'RUNNING', 'orphaned', 'small', $3, 'x', 'local',
               now() - interval '5 seconds', now() + $4 * interval '1 millisecond',
               now() - interval '5 seconds', 'dead-host:1:gone', now() - interval '1 second', $5)
       RETURNING id`,
      [post, alice.id, key, deadlineMs, attempts],
    );
    return row.id;
  };

  it('is claimed again and retried to its end', async () => {
    const done = await pollRun(t, run, await orphan('orphan-retry', 1, 60_000));
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 2,
      output: localResult('orphaned'),
    });
  });

  it('ends TIMED_OUT after WORKSPACE_RUN_MAX_ATTEMPTS claims, or once past its deadline', async () => {
    const lost = await pollRun(t, run, await orphan('orphan-lost', 3, 60_000));
    expect(lost).toMatchObject({ status: 'TIMED_OUT', attempts: 4 });
    expect(lost.error).toMatch(/worker was lost 3 times/);
    const late = await pollRun(t, run, await orphan('orphan-late', 1, -1000));
    expect(late).toMatchObject({ status: 'TIMED_OUT' });
    expect(late.error).toMatch(/did not finish within/);
    expect((await eventsOf(late.id)).map((e) => [e.type, e.data.status])).toEqual([
      ['automation_run.failed', 'TIMED_OUT'],
    ]);
  });
});

describe('idempotency', () => {
  it('returns the same run for the same key and body, and refuses the key with another body', async () => {
    const first = await queue('one prompt', 'same-key');
    const before = (await runRows())[0].n;
    const again = await queue('one prompt', 'same-key');
    expect(again.id).toBe(first.id);
    expect((await runRows())[0].n).toBe(before);

    await settle();
    const state = await databaseState(t);
    const res = await t
      .http()
      .post('/api/workspace/automations/runs')
      .set(run)
      .send({ postId: post, prompt: 'another prompt', idempotencyKey: 'same-key' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'idempotency_key_reused' });
    expect(await databaseState(t)).toEqual(state);
  });

  it('keeps keys per user: another user’s same key is their own run', async () => {
    const bob = await signUp(t);
    const bobRun = bearer((await createToken(t, bob, ['workspaces:run'])).token);
    const bobPost = await createPost(t, bob);
    const mine = await queue('shared key', 'per-user');
    const res = await t
      .http()
      .post('/api/workspace/automations/runs')
      .set(bobRun)
      .send({ postId: bobPost, prompt: 'shared key', idempotencyKey: 'per-user' })
      .expect(202);
    expect((res.body as RunBody).id).not.toBe(mine.id);
  });

  it('refuses bad input naming the field, creating nothing', async () => {
    await settle();
    const state = await databaseState(t);
    for (const [body, field] of [
      [{ postId: post, prompt: '', idempotencyKey: 'x' }, 'prompt'],
      [{ postId: post, prompt: 'p'.repeat(8001), idempotencyKey: 'x' }, 'prompt'],
      [{ postId: post, prompt: 'p' }, 'idempotencyKey'],
      [{ postId: post, prompt: 'p', idempotencyKey: 'has space' }, 'idempotencyKey'],
      [{ postId: 'nope', prompt: 'p', idempotencyKey: 'x' }, 'postId'],
      [{ postId: post, prompt: 'p', idempotencyKey: 'x', extra: 1 }, 'extra'],
    ] as const) {
      const res = await t.http().post('/api/workspace/automations/runs').set(run).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await databaseState(t)).toEqual(state);
  });

  it('accepts a prompt of exactly 8,000 characters', async () => {
    const done = await pollRun(t, run, (await queue('p'.repeat(8000))).id);
    expect(done.status).toBe('SUCCEEDED');
  });
});

describe('cancel', () => {
  it('cancels a RUNNING run for good: it stays CANCELLED and records no event', async () => {
    const queued = await queue('Slow [[sleep: 800]]');
    await waitFor(
      async () =>
        (
          await t.sql('SELECT 1 FROM automation_runs WHERE id = $1 AND status = $2', [
            queued.id,
            'RUNNING',
          ])
        ).length === 1,
      'RUNNING',
    );
    const res = await t
      .http()
      .post(`/api/workspace/automations/runs/${queued.id}/cancel`)
      .set(run)
      .expect(200);
    expect(res.body).toMatchObject({ id: queued.id, status: 'CANCELLED' });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await pollRun(t, run, queued.id)).status).toBe('CANCELLED');
    expect(await eventsOf(queued.id)).toEqual([]);
  });

  it('refuses to cancel a finished run (409 run_finished), changing nothing', async () => {
    const done = await pollRun(t, run, (await queue('quick')).id);
    const state = await databaseState(t);
    const res = await t.http().post(`/api/workspace/automations/runs/${done.id}/cancel`).set(run);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'run_finished' });
    expect(await databaseState(t)).toEqual(state);
  });
});

describe('the internal progress route', () => {
  const path = (id: string) => `/api/internal/workspace/runs/${id}/events`;
  const internal = { 'X-Internal-Token': INTERNAL };

  it('takes a controller’s reports: progress, then the end; a repeat is acknowledged, a contradiction is 409', async () => {
    const queued = await queue('Reported [[sleep: 1000]]');
    await waitFor(
      async () =>
        (
          await t.sql('SELECT 1 FROM automation_runs WHERE id = $1 AND status = $2', [
            queued.id,
            'RUNNING',
          ])
        ).length === 1,
      'RUNNING',
    );
    await t
      .http()
      .post(path(queued.id))
      .set(internal)
      .send({ state: 'RUNNING', output: 'half way' })
      .expect(200, { id: queued.id, status: 'RUNNING' });
    expect(
      (await t.sql('SELECT output FROM automation_runs WHERE id = $1', [queued.id]))[0],
    ).toEqual({
      output: 'half way',
    });
    const end = { state: 'SUCCEEDED', output: 'done by the controller' };
    await t.http().post(path(queued.id)).set(internal).send(end).expect(200);
    await t.http().post(path(queued.id)).set(internal).send(end).expect(200);
    const conflict = await t
      .http()
      .post(path(queued.id))
      .set(internal)
      .send({ state: 'FAILED', error: 'x' });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: 'run_finished' });
    // The local execution finishing later does not overwrite the reported end.
    await new Promise((r) => setTimeout(r, 1200));
    const final = await pollRun(t, run, queued.id);
    expect(final).toMatchObject({ status: 'SUCCEEDED', output: 'done by the controller' });
    expect((await eventsOf(queued.id)).map((e) => e.type)).toEqual(['automation_run.succeeded']);
  });

  it('refuses users’ credentials and no credentials, and 404s an unknown run', async () => {
    const queued = await queue('for refusals');
    const admin = await signUp(t);
    for (const headers of [{}, run, { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrfToken }]) {
      const res = await t.http().post(path(queued.id)).set(headers).send({ state: 'FAILED' });
      expect([401, 403]).toContain(res.status);
    }
    await t
      .http()
      .post(path('00000000-0000-4000-8000-000000000000'))
      .set(internal)
      .send({ state: 'SUCCEEDED' })
      .expect(404);
    const bad = await t.http().post(path(queued.id)).set(internal).send({ state: 'DONE' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('state');
  });

  it('is listed in the catalog for admins only', async () => {
    const publicIds = (
      (await t.http().get('/api/programmatic/catalog').expect(200)).body as {
        endpoints: { id: string }[];
      }
    ).endpoints.map((e) => e.id);
    expect(publicIds).toContain('workspace.runs.create');
    expect(publicIds).not.toContain('workspace.internal.run_events');
  });
});
