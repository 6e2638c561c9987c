import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { databaseState, describeRouteMatrix, type RouteCall } from './support/route-matrix.js';
import { useTestApp } from './support/test-app.js';
import { createPost } from './support/workspace.js';

/**
 * The Workspace module's access matrix (test/support/route-matrix.ts): every workspace route the
 * catalog lists for a user, with a session, a PAT holding exactly its scope, and refused without
 * it, changing nothing. Then every route that names a post or a workspace resource, called by
 * another user: 404, changing nothing. Background work is off so queued runs stay put while the
 * database is compared.
 */

const t = useTestApp({ env: { BACKGROUND_WORK: 'false' } });
let alice: SignedInUser;
let bob: SignedInUser;
let aliceManage: string;
let aliceRun: string;
let post: string;
let n = 0;

beforeAll(async () => {
  alice = await signUp(t);
  bob = await signUp(t);
  aliceManage = (await createToken(t, alice, ['workspaces:manage'])).token;
  aliceRun = (await createToken(t, alice, ['workspaces:run'])).token;
  post = await createPost(t, alice);
});

const newRule = async (trigger: Record<string, unknown> = { type: 'PURCHASE_SUCCEEDED' }) =>
  (
    await t
      .http()
      .post('/api/workspace/automations/rules')
      .set(bearer(aliceManage))
      .send({ postId: post, trigger, promptTemplate: 'Thank {{event.buyerId}}' })
      .expect(201)
  ).body as { id: string };
const newRun = async () =>
  (
    await t
      .http()
      .post('/api/workspace/automations/runs')
      .set(bearer(aliceRun))
      .send({ postId: post, prompt: 'hello', idempotencyKey: `matrix-${++n}` })
      .expect(202)
  ).body as { id: string };
const newSession = async (mode: 'VIEW' | 'EDIT' = 'VIEW') => {
  const res = await t
    .http()
    .post('/api/workspace/sessions')
    .set(bearer(aliceManage))
    .send({ postId: await createPost(t, alice), mode });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; postId: string };
};
const closeAllOf = async (user: SignedInUser) => {
  const token = (await createToken(t, user, ['workspaces:manage'])).token;
  await t.http().post('/api/workspace/sessions/close-all').set(bearer(token)).send({}).expect(200);
};
const row = async (table: string, id: string) =>
  (await t.sql(`SELECT * FROM ${table} WHERE id = $1`, [id]))[0];

const cases: Record<string, () => Promise<RouteCall>> = {
  'workspace.sessions.start': async () => {
    await closeAllOf(alice); // stay under the concurrency limit across the matrix's calls
    const target = await createPost(t, alice);
    return {
      path: '/api/workspace/sessions',
      body: { postId: target, mode: 'EDIT' },
      check: async (body) => {
        expect(body).toMatchObject({
          postId: target,
          mode: 'EDIT',
          status: 'ACTIVE',
          resumed: false,
          controller: 'local',
        });
        expect(await row('workspace_sessions', body.id as string)).toMatchObject({
          user_id: alice.id,
          post_id: target,
          status: 'ACTIVE',
        });
      },
    };
  },
  'workspace.sessions.list': async () => {
    await closeAllOf(alice);
    const s = await newSession();
    return {
      path: `/api/workspace/sessions?postId=${s.postId}&status=ACTIVE`,
      check: (body) => expect((body.items as { id: string }[]).map((i) => i.id)).toEqual([s.id]),
    };
  },
  'workspace.sessions.close': async () => {
    await closeAllOf(alice);
    const s = await newSession();
    return {
      path: `/api/workspace/sessions/${s.id}/close`,
      check: async (body) => {
        expect(body).toMatchObject({ id: s.id, status: 'CLOSED' });
        expect((await row('workspace_sessions', s.id)).status).toBe('CLOSED');
      },
    };
  },
  'workspace.sessions.close_all': async () => {
    await closeAllOf(alice);
    const s = await newSession();
    return {
      path: '/api/workspace/sessions/close-all',
      body: { postId: s.postId },
      check: async (body) => {
        expect(body).toEqual({ closed: 1, failed: 0 });
        expect((await row('workspace_sessions', s.id)).status).toBe('CLOSED');
      },
    };
  },
  'workspace.bindings.list': async () => {
    await t
      .http()
      .put(`/api/workspace/${post}/bindings/LISTED`)
      .set(bearer(aliceManage))
      .send({ value: 'v' })
      .expect(200);
    return {
      path: `/api/workspace/${post}/bindings`,
      check: (body) => {
        expect((body.items as { name: string }[]).map((i) => i.name)).toContain('LISTED');
        expect(JSON.stringify(body)).not.toContain('"value"');
      },
    };
  },
  'workspace.bindings.put': async () => {
    const name = `KEY_${++n}`;
    return {
      path: `/api/workspace/${post}/bindings/${name}`,
      body: { value: 'write-only' },
      check: async (body) => {
        expect(body).toMatchObject({ name, kind: 'VALUE', tokenId: null });
        const [stored] = await t.sql<{ sealed_value: string }>(
          'SELECT sealed_value FROM workspace_bindings WHERE post_id = $1 AND name = $2',
          [post, name],
        );
        expect(stored.sealed_value).toMatch(/^v1\./);
      },
    };
  },
  'workspace.bindings.delete': async () => {
    const name = `GONE_${++n}`;
    await t
      .http()
      .put(`/api/workspace/${post}/bindings/${name}`)
      .set(bearer(aliceManage))
      .send({ value: 'x' })
      .expect(200);
    return {
      path: `/api/workspace/${post}/bindings/${name}`,
      check: async () =>
        expect(
          await t.sql('SELECT 1 FROM workspace_bindings WHERE post_id = $1 AND name = $2', [
            post,
            name,
          ]),
        ).toEqual([]),
    };
  },
  'workspace.rules.create': async () => ({
    path: '/api/workspace/automations/rules',
    body: {
      postId: post,
      trigger: { type: 'SCHEDULE', cron: '0 9 * * *' },
      promptTemplate: 'daily',
    },
    check: async (body) => {
      expect(body).toMatchObject({
        postId: post,
        enabled: true,
        trigger: { type: 'SCHEDULE', cron: '0 9 * * *', timezone: 'UTC' },
      });
      expect(await row('automation_rules', body.id as string)).toMatchObject({
        owner_id: alice.id,
      });
    },
  }),
  'workspace.rules.list': async () => {
    const rule = await newRule();
    return {
      path: `/api/workspace/automations/rules?postId=${post}&limit=1`,
      check: (body) => expect((body.items as { id: string }[]).map((i) => i.id)).toEqual([rule.id]),
    };
  },
  'workspace.rules.get': async () => {
    const rule = await newRule();
    return {
      path: `/api/workspace/automations/rules/${rule.id}`,
      check: (body) => expect(body).toMatchObject({ id: rule.id, postId: post }),
    };
  },
  'workspace.rules.update': async () => {
    const rule = await newRule();
    return {
      path: `/api/workspace/automations/rules/${rule.id}`,
      body: { enabled: false, cooldownSeconds: 60 },
      check: async (body) => {
        expect(body).toMatchObject({ enabled: false, cooldownSeconds: 60 });
        expect(await row('automation_rules', rule.id)).toMatchObject({
          enabled: false,
          cooldown_seconds: 60,
        });
      },
    };
  },
  'workspace.rules.delete': async () => {
    const rule = await newRule();
    return {
      path: `/api/workspace/automations/rules/${rule.id}`,
      check: async () => expect(await row('automation_rules', rule.id)).toBeUndefined(),
    };
  },
  'workspace.runs.create': async () => {
    const key = `create-${++n}`;
    return {
      path: '/api/workspace/automations/runs',
      body: { postId: post, prompt: 'Summarise sales', idempotencyKey: key },
      check: async (body) => {
        expect(body).toMatchObject({
          status: 'QUEUED',
          postId: post,
          idempotencyKey: key,
          trigger: { type: 'API', ruleId: null },
        });
        expect(await row('automation_runs', body.id as string)).toMatchObject({
          owner_id: alice.id,
          status: 'QUEUED',
        });
      },
    };
  },
  'workspace.runs.list': async () => {
    const run = await newRun();
    return {
      path: `/api/workspace/automations/runs?postId=${post}&status=QUEUED&limit=1`,
      check: (body) => expect((body.items as { id: string }[]).map((i) => i.id)).toEqual([run.id]),
    };
  },
  'workspace.runs.get': async () => {
    const run = await newRun();
    return {
      path: `/api/workspace/automations/runs/${run.id}`,
      check: (body) => expect(body).toMatchObject({ id: run.id, status: 'QUEUED' }),
    };
  },
  'workspace.runs.cancel': async () => {
    const run = await newRun();
    return {
      path: `/api/workspace/automations/runs/${run.id}/cancel`,
      check: async (body) => {
        expect(body).toMatchObject({ id: run.id, status: 'CANCELLED' });
        expect((await row('automation_runs', run.id)).status).toBe('CANCELLED');
      },
    };
  },
};

describeRouteMatrix({
  module: 'workspace',
  app: t,
  caller: () => alice,
  cases,
  outsideMatrix: {
    'workspace.hooks.receive': 'webhook-ingress: workspace-automation.e2e-spec.ts',
    'workspace.internal.run_events': 'internal: workspace-runs.e2e-spec.ts',
  },
});

describe('another user’s post or workspace resource', () => {
  it('answers 404 on every route and changes nothing', async () => {
    const bobAll = bearer(
      (await createToken(t, bob, ['workspaces:manage', 'workspaces:run'])).token,
    );
    await closeAllOf(alice);
    const session = await newSession();
    const rule = await newRule();
    const run = await newRun();
    await t
      .http()
      .put(`/api/workspace/${post}/bindings/SECRET`)
      .set(bearer(aliceManage))
      .send({ value: 'alice-only' })
      .expect(200);
    const calls: [string, string, Record<string, unknown>?][] = [
      ['post', '/api/workspace/sessions', { postId: post, mode: 'VIEW' }],
      ['get', `/api/workspace/sessions?postId=${post}`],
      ['post', `/api/workspace/sessions/${session.id}/close`],
      ['post', '/api/workspace/sessions/close-all', { postId: post }],
      ['get', `/api/workspace/${post}/bindings`],
      ['put', `/api/workspace/${post}/bindings/SECRET`, { value: 'bob was here' }],
      ['delete', `/api/workspace/${post}/bindings/SECRET`],
      [
        'post',
        '/api/workspace/automations/rules',
        { postId: post, trigger: { type: 'PURCHASE_SUCCEEDED' }, promptTemplate: 'x' },
      ],
      ['get', `/api/workspace/automations/rules?postId=${post}`],
      ['get', `/api/workspace/automations/rules/${rule.id}`],
      ['patch', `/api/workspace/automations/rules/${rule.id}`, { enabled: false }],
      ['delete', `/api/workspace/automations/rules/${rule.id}`],
      [
        'post',
        '/api/workspace/automations/runs',
        { postId: post, prompt: 'x', idempotencyKey: 'bob' },
      ],
      ['get', `/api/workspace/automations/runs?postId=${post}`],
      ['get', `/api/workspace/automations/runs/${run.id}`],
      ['post', `/api/workspace/automations/runs/${run.id}/cancel`],
    ];
    for (const [method, path, body] of calls) {
      const before = await databaseState(t);
      const req = t.http()[method as 'get'](path).set(bobAll);
      const res = await (body ? req.send(body) : req);
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(404);
      expect(res.body).toMatchObject({ code: 'not_found' });
      expect(await databaseState(t), `${method} ${path} changed the database`).toEqual(before);
    }
  });
});
