import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { useTestApp } from './support/test-app.js';
import { createPost, pollRun } from './support/workspace.js';

/**
 * The HTTP workspace controller against a fake controller service on loopback speaking the JSON
 * contract in the README: what the server sends (credential, run, opened bindings), accepted runs
 * finished through the internal events route, a synchronous FAILED, an accepted run that never
 * reports (TIMED_OUT at its deadline), busy controllers and failed stops.
 */

const INTERNAL = 'internal-token-0123456789abcdefghijklmnopqrstuvwxyz';

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown> | null;
}
const seen: Seen[] = [];
const fake = { busy: false, failStops: false, down: false };

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : null;
};

const server: Server = createServer((req, res) => {
  void readBody(req).then((body) => {
    const path = req.url ?? '';
    seen.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body });
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(value));
    };
    if (fake.down) return req.socket.destroy();
    if (req.headers.authorization !== `Bearer ${INTERNAL}`) return json(401, { error: 'who?' });
    if (path === '/sessions') {
      if (fake.busy) return json(503, { error: 'busy' }, { 'Retry-After': '7' });
      return json(201, { url: `https://ws.example/s/${String(body?.sessionId)}` });
    }
    if (/^\/sessions\/[^/]+\/stop$/.test(path)) {
      if (fake.failStops) return json(500, { error: 'stuck' });
      res.writeHead(204).end();
      return;
    }
    if (path === '/runs') {
      const prompt = String(body?.prompt);
      if (prompt.startsWith('fail'))
        return json(200, { state: 'FAILED', error: 'controller says no' });
      res.writeHead(202).end();
      return;
    }
    if (/^\/runs\/[^/]+\/cancel$/.test(path)) {
      res.writeHead(204).end();
      return;
    }
    json(404, { error: 'unknown' });
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const t = useTestApp({
  env: {
    WORKSPACE_CONTROLLER_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    INTERNAL_API_TOKEN: INTERNAL,
    WORKSPACE_RUN_TIMEOUT_MS: '1500',
    EVENTS_POLL_MS: '20',
  },
});
let alice: SignedInUser;
let headers: Record<string, string>;
let post: string;
let n = 0;

beforeAll(async () => {
  alice = await signUp(t);
  headers = bearer((await createToken(t, alice, ['workspaces:run', 'workspaces:manage'])).token);
  post = await createPost(t, alice);
  await t
    .http()
    .put(`/api/workspace/${post}/bindings/API_KEY`)
    .set(headers)
    .send({ value: 'the-bound-value' })
    .expect(200);
});

const queue = async (prompt: string) =>
  (
    await t
      .http()
      .post('/api/workspace/automations/runs')
      .set(headers)
      .send({ postId: post, prompt, idempotencyKey: `http-${++n}` })
      .expect(202)
  ).body as { id: string; controller: string };
const runCalls = (runId: string) =>
  seen.filter((s) => s.path === '/runs' && s.body?.runId === runId);
const waitFor = async (check: () => boolean, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('runs through the HTTP controller', () => {
  it('sends the run with the credential and opened bindings; the controller’s report ends it', async () => {
    const run = await queue('Write the weekly report');
    expect(run.controller).toBe('http');
    await waitFor(() => runCalls(run.id).length === 1, 'the controller to get the run');
    const [call] = runCalls(run.id);
    expect(call.authorization).toBe(`Bearer ${INTERNAL}`);
    expect(call.body).toMatchObject({
      runId: run.id,
      attempt: 1,
      postId: post,
      runAs: alice.id,
      prompt: 'Write the weekly report',
      workloadProfile: 'small',
      bindings: [{ name: 'API_KEY', value: 'the-bound-value' }],
      eventsUrl: `http://127.0.0.1:3000/api/internal/workspace/runs/${run.id}/events`,
    });
    await t
      .http()
      .post(`/api/internal/workspace/runs/${run.id}/events`)
      .set('X-Internal-Token', INTERNAL)
      .send({ state: 'SUCCEEDED', output: 'report written' })
      .expect(200);
    expect(await pollRun(t, headers, run.id)).toMatchObject({
      status: 'SUCCEEDED',
      output: 'report written',
    });
  });

  it('takes a synchronous FAILED answer', async () => {
    const run = await queue('fail please');
    expect(await pollRun(t, headers, run.id)).toMatchObject({
      status: 'FAILED',
      error: 'controller says no',
    });
  });

  it('times out an accepted run the controller never reports on', async () => {
    const run = await queue('silent');
    const done = await pollRun(t, headers, run.id);
    expect(done.status).toBe('TIMED_OUT');
    expect(runCalls(run.id)).toHaveLength(1); // not re-sent while it waited
  });

  it('tells the controller when a running run is cancelled', async () => {
    const run = await queue('to cancel');
    await waitFor(() => runCalls(run.id).length === 1, 'the controller to get the run');
    await t
      .http()
      .post(`/api/workspace/automations/runs/${run.id}/cancel`)
      .set(headers)
      .expect(200);
    await waitFor(
      () => seen.some((s) => s.path === `/runs/${run.id}/cancel`),
      'the cancel to reach the controller',
    );
    expect((await pollRun(t, headers, run.id)).status).toBe('CANCELLED');
  });
});

describe('sessions through the HTTP controller', () => {
  it('starts with the controller’s URL, passes on busy as 503 + Retry-After, counts failed stops', async () => {
    const res = await t
      .http()
      .post('/api/workspace/sessions')
      .set(headers)
      .send({ postId: post, mode: 'EDIT' })
      .expect(201);
    expect(res.body).toMatchObject({
      controller: 'http',
      url: `https://ws.example/s/${res.body.id}`,
    });
    expect(seen.find((s) => s.path === '/sessions')?.body).toMatchObject({
      sessionId: res.body.id,
      postId: post,
      userId: alice.id,
      mode: 'EDIT',
    });

    fake.busy = true;
    const busy = await t
      .http()
      .post('/api/workspace/sessions')
      .set(headers)
      .send({ postId: post, mode: 'VIEW' });
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('7');
    expect(busy.body).toMatchObject({ code: 'controllers_busy' });
    fake.busy = false;

    fake.down = true;
    const down = await t
      .http()
      .post('/api/workspace/sessions')
      .set(headers)
      .send({ postId: post, mode: 'VIEW' });
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'unavailable' });
    expect(
      await t.sql(`SELECT 1 FROM workspace_sessions WHERE post_id = $1 AND mode = 'VIEW'`, [post]),
    ).toEqual([]);
    fake.down = false;

    fake.failStops = true;
    const closeAll = await t
      .http()
      .post('/api/workspace/sessions/close-all')
      .set(headers)
      .send({})
      .expect(200);
    expect(closeAll.body).toEqual({ closed: 0, failed: 1 });
    fake.failStops = false;
    expect(
      (await t.http().post('/api/workspace/sessions/close-all').set(headers).send({}).expect(200))
        .body,
    ).toEqual({ closed: 1, failed: 0 });
  });
});
