import { randomUUID } from 'node:crypto';
import { vi } from 'vitest';
import { DataSource } from 'typeorm';
import { Clock } from '../src/common/index.js';
import { DomainEvents, EventRelay } from '../src/events/index.js';
import { AutomationTriggers } from '../src/modules/workspace/rules/automation-triggers.js';
import { RunWorker } from '../src/modules/workspace/runs/run-worker.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { databaseState } from './support/route-matrix.js';
import { createTestApp, type TestApp, useTestApp } from './support/test-app.js';
import { createPost, signHook } from './support/workspace.js';

/**
 * Automation rules and their triggers: validation, inbound hooks (secret + signature, tolerance,
 * replay), the cooldown and the pause switch, schedules driven by a moved clock (never a sleep),
 * and PURCHASE_SUCCEEDED from the domain-event outbox. Background loops are off: the tests turn
 * the schedule loop, the relay and the worker by hand.
 */

// purchase.succeeded is Billing's (registered by BillingModule).
const t = useTestApp({ env: { BACKGROUND_WORK: 'false' } });
let alice: SignedInUser;
let manage: Record<string, string>;
let post: string;

beforeAll(async () => {
  alice = await signUp(t);
  manage = bearer((await createToken(t, alice, ['workspaces:manage'])).token);
  post = await createPost(t, alice);
});
afterEach(() => vi.restoreAllMocks());

const createRule = async (body: Record<string, unknown>) => {
  const res = await t
    .http()
    .post('/api/workspace/automations/rules')
    .set(manage)
    .send({ postId: post, promptTemplate: 'Go {{payload.order}}', ...body });
  expect(res.status, res.text).toBe(201);
  return res.body as {
    id: string;
    hookSecret: string | null;
    nextFireAt: string | null;
    trigger: { hookUrl: string | null };
  };
};
const runsOf = (ruleId: string) =>
  t.sql<{ id: string; prompt: string; trigger_type: string; status: string }>(
    'SELECT id, prompt, trigger_type, status FROM automation_runs WHERE rule_id = $1 ORDER BY created_at',
    [ruleId],
  );
const firingsOf = (ruleId: string) =>
  t.sql<{ dedupe_key: string; outcome: string; run_id: string | null }>(
    'SELECT dedupe_key, outcome, run_id FROM automation_firings WHERE rule_id = $1 ORDER BY fired_at, dedupe_key',
    [ruleId],
  );
const setClock = (app: TestApp, iso: string) =>
  vi.spyOn(app.running.app.get(Clock), 'now').mockImplementation(() => new Date(iso));

describe('rule validation', () => {
  it('refuses bad triggers naming the field, creating nothing', async () => {
    const state = await databaseState(t);
    for (const [trigger, field] of [
      [{ type: 'SCHEDULE' }, 'trigger.cron'],
      [{ type: 'SCHEDULE', cron: '0 9 * * * *' }, 'trigger.cron'],
      [{ type: 'SCHEDULE', cron: '61 * * * *' }, 'trigger.cron'],
      [{ type: 'SCHEDULE', cron: '0 9 * * *', timezone: 'Mars/Olympus' }, 'trigger.timezone'],
      [{ type: 'WEBHOOK_EVENT', cron: '0 9 * * *' }, 'trigger.cron'],
      [{ type: 'NOPE' }, 'trigger.type'],
    ] as const) {
      const res = await t
        .http()
        .post('/api/workspace/automations/rules')
        .set(manage)
        .send({ postId: post, trigger, promptTemplate: 'x' });
      expect(res.status, JSON.stringify(trigger)).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const res = await t
      .http()
      .post('/api/workspace/automations/rules')
      .set(manage)
      .send({
        postId: post,
        trigger: { type: 'PURCHASE_SUCCEEDED' },
        promptTemplate: '',
        cooldownSeconds: -1,
      });
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'cooldownSeconds',
      'promptTemplate',
    ]);
    expect(await databaseState(t)).toEqual(state);
  });

  it('keeps a schedule in its time zone and refuses changing the trigger type', async () => {
    setClock(t, '2026-11-28T10:03:00Z');
    const rule = await createRule({
      trigger: { type: 'SCHEDULE', cron: '0 9 * * *', timezone: 'Europe/Berlin' },
    });
    expect(rule.nextFireAt).toBe('2026-11-29T08:00:00.000Z');
    const res = await t
      .http()
      .patch(`/api/workspace/automations/rules/${rule.id}`)
      .set(manage)
      .send({ trigger: { type: 'WEBHOOK_EVENT' } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('trigger.type');
  });
});

describe('inbound automation hooks', () => {
  let rule: Awaited<ReturnType<typeof createRule>>;
  let url: string;
  beforeAll(async () => {
    rule = await createRule({ trigger: { type: 'WEBHOOK_EVENT' } });
    url = new URL(rule.trigger.hookUrl!).pathname;
  });
  const call = (body: string, headers: Record<string, string>) =>
    t
      .http()
      .post(url)
      .set({ 'Content-Type': 'application/json', ...headers })
      .send(body);

  it('shows the secret once: not in GET or the list', async () => {
    expect(rule.hookSecret).toMatch(/^whsec_/);
    expect(rule.trigger.hookUrl).toMatch(/\/api\/workspace\/automations\/hooks\/[A-Za-z0-9]{32}$/);
    const got = await t
      .http()
      .get(`/api/workspace/automations/rules/${rule.id}`)
      .set(manage)
      .expect(200);
    expect(JSON.stringify(got.body)).not.toContain(rule.hookSecret!);
    expect(got.body.trigger.hookUrl).toBe(rule.trigger.hookUrl);
    const [stored] = await t.sql<{ hook_secret_sealed: string }>(
      'SELECT hook_secret_sealed FROM automation_rules WHERE id = $1',
      [rule.id],
    );
    expect(stored.hook_secret_sealed).toMatch(/^v1\./);
    expect(stored.hook_secret_sealed).not.toContain(rule.hookSecret!);
  });

  it('creates exactly one run for a valid call, rendering the payload into the prompt', async () => {
    const body = JSON.stringify({ order: 'A-17' });
    const res = await call(body, {
      'X-GPX-Webhook-Secret': rule.hookSecret!,
      'X-GPX-Signature': signHook(rule.hookSecret!, body),
    });
    expect(res.status, res.text).toBe(202);
    expect(res.body).toMatchObject({ outcome: 'QUEUED', runId: expect.any(String) as unknown });
    const runs = await runsOf(rule.id);
    expect(runs).toEqual([
      { id: res.body.runId, prompt: 'Go A-17', trigger_type: 'WEBHOOK_EVENT', status: 'QUEUED' },
    ]);
  });

  it('refuses a wrong secret, a bad signature, a stale or future timestamp and a replay: 401, no run', async () => {
    const body = JSON.stringify({ order: 'B-1' });
    const good = signHook(rule.hookSecret!, body);
    const accepted = await call(body, {
      'X-GPX-Webhook-Secret': rule.hookSecret!,
      'X-GPX-Signature': good,
    });
    expect(accepted.status).toBe(202);
    const now = Math.floor(Date.now() / 1000);
    const attempts: [string, Record<string, string>][] = [
      [
        'wrong secret',
        { 'X-GPX-Webhook-Secret': 'whsec_wrong', 'X-GPX-Signature': signHook('whsec_wrong', body) },
      ],
      ['no secret', { 'X-GPX-Signature': good }],
      [
        'bad signature',
        { 'X-GPX-Webhook-Secret': rule.hookSecret!, 'X-GPX-Signature': signHook('other', body) },
      ],
      [
        'tampered body',
        {
          'X-GPX-Webhook-Secret': rule.hookSecret!,
          'X-GPX-Signature': signHook(rule.hookSecret!, '{"order":"C"}'),
        },
      ],
      [
        'malformed signature',
        { 'X-GPX-Webhook-Secret': rule.hookSecret!, 'X-GPX-Signature': 'v1=abc' },
      ],
      [
        'stale timestamp',
        {
          'X-GPX-Webhook-Secret': rule.hookSecret!,
          'X-GPX-Signature': signHook(rule.hookSecret!, body, now - 330),
        },
      ],
      [
        'future timestamp',
        {
          'X-GPX-Webhook-Secret': rule.hookSecret!,
          'X-GPX-Signature': signHook(rule.hookSecret!, body, now + 330),
        },
      ],
      ['replay', { 'X-GPX-Webhook-Secret': rule.hookSecret!, 'X-GPX-Signature': good }],
    ];
    for (const [what, headers] of attempts) {
      const before = await databaseState(t);
      const res = await call(body, headers);
      expect(res.status, what).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body, what).toMatchObject({ code: 'invalid_signature' });
      expect(await databaseState(t), `${what} changed the database`).toEqual(before);
    }
    const unknown = await t
      .http()
      .post('/api/workspace/automations/hooks/unknownpathtoken')
      .set({
        'Content-Type': 'application/json',
        'X-GPX-Webhook-Secret': rule.hookSecret!,
        'X-GPX-Signature': good,
      })
      .send(body);
    expect(unknown.status).toBe(401);
    expect((await runsOf(rule.id)).map((r) => r.prompt)).toEqual(['Go A-17', 'Go B-1']);
  });
});

describe('cooldown and pause', () => {
  it('records a firing within the cooldown as skipped, fires again after it, and a paused rule not at all', async () => {
    const rule = await createRule({ trigger: { type: 'WEBHOOK_EVENT' }, cooldownSeconds: 60 });
    const path = new URL(rule.trigger.hookUrl!).pathname;
    const fire = (order: string) => {
      const body = JSON.stringify({ order });
      return t
        .http()
        .post(path)
        .set({
          'Content-Type': 'application/json',
          'X-GPX-Webhook-Secret': rule.hookSecret!,
          'X-GPX-Signature': signHook(rule.hookSecret!, body),
        })
        .send(body);
    };
    expect((await fire('1')).body).toMatchObject({ outcome: 'QUEUED' });
    expect((await fire('2')).body).toEqual({ outcome: 'SKIPPED_COOLDOWN', runId: null });
    setClock(t, new Date(Date.now() + 61_000).toISOString());
    expect((await fire('3')).body).toMatchObject({ outcome: 'QUEUED' });
    vi.restoreAllMocks();

    await t
      .http()
      .patch(`/api/workspace/automations/rules/${rule.id}`)
      .set(manage)
      .send({ enabled: false })
      .expect(200);
    expect((await fire('4')).body).toEqual({ outcome: 'DISABLED', runId: null });
    const got = await t
      .http()
      .get(`/api/workspace/automations/rules/${rule.id}`)
      .set(manage)
      .expect(200);
    expect(got.body).toMatchObject({
      enabled: false,
      cooldownSeconds: 60,
      promptTemplate: 'Go {{payload.order}}',
    });

    expect((await runsOf(rule.id)).map((r) => r.prompt)).toEqual(['Go 1', 'Go 3']);
    expect((await firingsOf(rule.id)).map((f) => f.outcome).sort()).toEqual([
      'QUEUED',
      'QUEUED',
      'SKIPPED_COOLDOWN',
    ]);
  });
});

describe('SCHEDULE rules', () => {
  it('fire once per due tick (never twice for one tick), keep the cooldown, and stop while paused', async () => {
    const triggers = t.running.app.get(AutomationTriggers);
    setClock(t, '2026-11-28T10:03:00Z');
    const rule = await createRule({
      trigger: { type: 'SCHEDULE', cron: '*/5 * * * *' },
      promptTemplate: 'tick {{tick}}',
      cooldownSeconds: 400,
    });
    expect(rule.nextFireAt).toBe('2026-11-28T10:05:00.000Z');
    await triggers.runSchedulesNow();
    expect(await runsOf(rule.id)).toEqual([]);

    setClock(t, '2026-11-28T10:05:01Z');
    await Promise.all([
      triggers.runSchedulesNow(),
      triggers.fireDueSchedules(),
      triggers.fireDueSchedules(),
    ]);
    await triggers.runSchedulesNow();
    expect((await runsOf(rule.id)).map((r) => r.prompt)).toEqual(['tick 2026-11-28T10:05:00.000Z']);

    // 10:10 is within the 400 s cooldown of 10:05: recorded as skipped; 10:15 fires.
    setClock(t, '2026-11-28T10:10:00Z');
    await triggers.runSchedulesNow();
    setClock(t, '2026-11-28T10:15:02Z');
    await triggers.runSchedulesNow();
    expect((await runsOf(rule.id)).map((r) => r.prompt)).toEqual([
      'tick 2026-11-28T10:05:00.000Z',
      'tick 2026-11-28T10:15:00.000Z',
    ]);
    expect((await firingsOf(rule.id)).map((f) => [f.dedupe_key, f.outcome])).toEqual([
      ['tick:2026-11-28T10:05:00.000Z', 'QUEUED'],
      ['tick:2026-11-28T10:10:00.000Z', 'SKIPPED_COOLDOWN'],
      ['tick:2026-11-28T10:15:00.000Z', 'QUEUED'],
    ]);

    await t
      .http()
      .patch(`/api/workspace/automations/rules/${rule.id}`)
      .set(manage)
      .send({ enabled: false })
      .expect(200);
    setClock(t, '2026-11-28T11:00:00Z');
    await triggers.runSchedulesNow();
    expect(await runsOf(rule.id)).toHaveLength(2);

    // Resumed: re-armed from now, the paused ticks are not replayed.
    const resumed = await t
      .http()
      .patch(`/api/workspace/automations/rules/${rule.id}`)
      .set(manage)
      .send({ enabled: true })
      .expect(200);
    expect(resumed.body.nextFireAt).toBe('2026-11-28T11:05:00.000Z');
  });

  it('a fired run executes through the worker to SUCCEEDED', async () => {
    const rule = await createRule({
      trigger: { type: 'SCHEDULE', cron: '* * * * *' },
      promptTemplate: 'each minute',
    });
    setClock(t, new Date(Date.now() + 61_000).toISOString());
    await t.running.app.get(AutomationTriggers).runSchedulesNow();
    // The run is due at the moved clock's now, so the worker runs on the same clock.
    await t.running.app.get(RunWorker).drain();
    expect((await runsOf(rule.id)).map((r) => [r.trigger_type, r.status])).toEqual([
      ['SCHEDULE', 'SUCCEEDED'],
    ]);
  });
});

describe('PURCHASE_SUCCEEDED rules', () => {
  it('fire once per purchase.succeeded of their post, from the outbox', async () => {
    const rule = await createRule({
      trigger: { type: 'PURCHASE_SUCCEEDED' },
      promptTemplate: 'Thank {{event.buyerId}} for {{event.amount}} {{event.currency}}',
    });
    const otherPost = await createPost(t, alice);
    const buyer = randomUUID();
    const record = (postId: string) =>
      t.running.app.get(DataSource).transaction((m) =>
        t.running.app.get(DomainEvents).record(
          m,
          'purchase.succeeded',
          {
            purchaseId: randomUUID(),
            postId,
            buyerId: buyer,
            sellerId: alice.id,
            amount: 900,
            currency: 'eur',
            mode: 'payment',
          },
          { recipients: [alice.id] },
        ),
      );
    await record(post);
    await record(otherPost);
    const relay = t.running.app.get(EventRelay);
    await relay.drain();
    await relay.drain();
    expect((await runsOf(rule.id)).map((r) => [r.trigger_type, r.prompt])).toEqual([
      ['PURCHASE_SUCCEEDED', `Thank ${buyer} for 900 eur`],
    ]);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('two instances on one PostgreSQL', () => {
  let second: TestApp;
  beforeAll(async () => {
    second = await createTestApp({ sameDatabaseAs: t, env: { BACKGROUND_WORK: 'false' } });
  });
  afterAll(() => second?.close());

  it('fire a schedule rule exactly once per tick', async () => {
    setClock(t, '2027-01-01T00:00:30Z');
    setClock(second, '2027-01-01T00:00:30Z');
    const rule = await createRule({
      trigger: { type: 'SCHEDULE', cron: '* * * * *' },
      promptTemplate: '{{tick}}',
    });
    const a = t.running.app.get(AutomationTriggers);
    const b = second.running.app.get(AutomationTriggers);
    const ticks = ['00:01', '00:02', '00:03', '00:04', '00:05'];
    for (const tick of ticks) {
      setClock(t, `2027-01-01T${tick}:00.500Z`);
      setClock(second, `2027-01-01T${tick}:00.500Z`);
      await Promise.all([
        a.fireDueSchedules(),
        b.fireDueSchedules(),
        a.runSchedulesNow(),
        b.runSchedulesNow(),
      ]);
    }
    expect((await runsOf(rule.id)).map((r) => r.prompt)).toEqual(
      ticks.map((tick) => `2027-01-01T${tick}:00.000Z`),
    );
  });
});
