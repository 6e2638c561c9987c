import { Writable } from 'node:stream';
import { signUp } from './support/actors.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * A failed query is logged with its SQLSTATE, constraint and statement name, never with its
 * parameters or PostgreSQL's quoting of them: password hashes and token digests stay out of logs.
 */
describe('hardening: database errors in the log carry no secrets', () => {
  let t: TestApp;
  let log = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log += chunk.toString('utf8');
      done();
    },
  });
  const logLines = () =>
    log
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    t = await createTestApp({ env: { LOG_LEVEL: 'warn' }, logDestination: sink });
  });
  afterAll(async () => {
    // The 500s here are provoked on purpose, and no catalog entry declares internal_error.
    await t?.close().catch((error: Error) => {
      const lines = error.message.split('\n').slice(1);
      if (lines.some((line) => !line.includes('answered 500 internal_error'))) throw error;
    });
  });

  it('a failed INSERT carrying an argon2 hash logs the SQLSTATE and constraint, not the hash', async () => {
    await t.sql(
      `ALTER TABLE users ADD CONSTRAINT users_refuse_test CHECK (display_name <> 'Refused') NOT VALID`,
    );
    try {
      log = '';
      const email = `refused-${Date.now()}@example.com`;
      const res = await t
        .http()
        .post('/api/auth/signup')
        .send({ email, password: 'correct horse battery staple', displayName: 'Refused' })
        .expect(500);
      expect(res.body.code).toBe('internal_error');
      const line = logLines().find((l) => l.msg === 'unhandled error');
      expect(line?.err).toMatchObject({
        type: 'QueryFailedError',
        sqlState: '23514',
        constraint: 'users_refuse_test',
        table: 'users',
        query: 'INSERT INTO "users"',
      });
      expect(log).not.toContain('$argon2');
      expect(log).not.toContain(email);
      expect(log).not.toContain('correct horse');
    } finally {
      await t.sql('ALTER TABLE users DROP CONSTRAINT users_refuse_test');
    }
  });

  it('a failed session lookup logs the SQLSTATE, not the session digest it looked up', async () => {
    const user = await signUp(t);
    const [{ secret_hash: digest }] = await t.sql<{ secret_hash: string }>(
      'SELECT secret_hash FROM sessions WHERE user_id = $1',
      [user.id],
    );
    expect(digest.length).toBeGreaterThan(20);
    await t.sql('ALTER TABLE sessions RENAME COLUMN secret_hash TO secret_hash_moved');
    try {
      log = '';
      const res = await t.http().get('/api/auth/session').set('Cookie', user.cookie);
      expect(res.status).toBe(500);
      const line = logLines().find((l) => l.msg === 'unhandled error');
      expect(line?.err).toMatchObject({ type: 'QueryFailedError', sqlState: '42703' });
      expect(log).not.toContain(digest);
      expect(log).not.toContain(user.cookie.split('=')[1]);
      expect(log).not.toContain('secret_hash_moved'); // PostgreSQL's message is not logged either
    } finally {
      await t.sql('ALTER TABLE sessions RENAME COLUMN secret_hash_moved TO secret_hash');
    }
  });
});
