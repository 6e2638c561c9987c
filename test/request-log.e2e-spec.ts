import { Writable } from 'node:stream';
import { bearer, createToken, signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';

interface LogLine {
  msg?: string;
  level: number;
  responseTime?: number;
  req: { id: string; method: string; url: string };
  res: { statusCode: number };
}

/** The one access-log line per request (src/common/logging.ts `requestLogging`). */
describe('request log', () => {
  let t: TestApp;
  let log = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log += chunk.toString('utf8');
      done();
    },
  });
  const requestLines = () =>
    log
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as LogLine)
      .filter((l) => typeof l.msg === 'string' && l.msg.startsWith('request '));

  beforeAll(async () => {
    t = await createTestApp({ env: { LOG_LEVEL: 'info' }, logDestination: sink });
  });
  afterAll(() => t?.close());

  it('logs each request once, with id, method, status and time, and no credentials', async () => {
    const alice = await signUp(t);
    const { token } = await createToken(t, alice, ['posts:read']);
    log = '';
    const res = await t
      .http()
      .get('/api/me')
      .set(bearer(token))
      .set('x-request-id', 'trace-abc-123')
      .expect(200);
    await t.http().get('/api/nothing-here').expect(404);
    await new Promise((r) => setImmediate(r));
    const lines = requestLines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 30,
      service: 'getpaidx-api',
      msg: 'request completed',
      req: { id: 'trace-abc-123', method: 'GET', url: '/api/me' },
      res: { statusCode: 200 },
    });
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
    expect(typeof lines[0].responseTime).toBe('number');
    expect(lines[1]).toMatchObject({ req: { url: '/api/nothing-here' }, res: { statusCode: 404 } });
    expect(log).not.toContain(token);
    expect(log).not.toContain(alice.cookie.split('=')[1]);
  });

  it('does not log health probes', async () => {
    log = '';
    await t.http().get('/api/health/live').expect(200);
    await new Promise((r) => setImmediate(r));
    expect(requestLines()).toEqual([]);
  });

  it('redacts the credential in an upload URL', async () => {
    log = '';
    await t
      .http()
      .put('/api/artifact-uploads/00000000-0000-4000-8000-000000000000/secret-slot-key')
      .send(Buffer.from('x'));
    await new Promise((r) => setImmediate(r));
    const [line] = requestLines();
    expect(line.req.url).toBe(
      '/api/artifact-uploads/00000000-0000-4000-8000-000000000000/[redacted]',
    );
    expect(log).not.toContain('secret-slot-key');
  });

  it('redacts credentials a client put in a query string or a path', async () => {
    const alice = await signUp(t);
    const { token } = await createToken(t, alice, ['posts:read']);
    log = '';
    // A sign-in form submitted natively, a token in the query and in a path, a webhook secret.
    await t.http().get('/login?email=alice%40example.com&password=hunter2hunter2&next=%2F');
    await t.http().get(`/api/posts?limit=2&access_token=${token}`).expect(401);
    await t.http().get(`/api/tokens/${token}`);
    await t.http().get('/api/nothing-here?apiKey=k-123456&signingSecret=s-654321&x=1');
    // Ordinary parameters stay readable, a token's display prefix included.
    await t.http().get('/api/programmatic/catalog?authKind=pat&pat=true&q=gpx_pat_AbCd');
    await t.http().get(`/api/posts?author=${alice.id}&cursor=abc`).expect(401);
    await new Promise((r) => setImmediate(r));
    expect(requestLines().map((l) => l.req.url)).toEqual([
      '/login?email=alice%40example.com&password=[redacted]&next=%2F',
      '/api/posts?limit=2&access_token=[redacted]',
      '/api/tokens/[redacted]',
      '/api/nothing-here?apiKey=[redacted]&signingSecret=[redacted]&x=1',
      '/api/programmatic/catalog?authKind=pat&pat=true&q=gpx_pat_AbCd',
      `/api/posts?author=${alice.id}&cursor=abc`,
    ]);
    for (const secret of ['hunter2hunter2', token, 'k-123456', 's-654321'])
      expect(log).not.toContain(secret);
  });
});
