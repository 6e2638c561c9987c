import { generatePat } from '../src/access/pat-format.js';
import { EventRelay } from '../src/events/index.js';
import { MailSender } from '../src/modules/account/mail/mail-sender.js';
import { TokenRevocationListener } from '../src/modules/account/tokens/token-revocation.listener.js';
import { bearer, createToken, signUp } from './support/actors.js';
import { MailReceiver } from './support/mail-receiver.js';
import { createTestApp, type TestApp, useTestApp } from './support/test-app.js';

const REVOCATIONS = '/api/tokens/revocations';
const onPostgres = Boolean(process.env.DATABASE_URL);
let ipCounter = 0;
/** Each test reports from its own address (the app trusts X-Forwarded-For from loopback). */
const freshIp = () => ({ 'X-Forwarded-For': `198.51.100.${++ipCounter}` });

/** A valid-looking candidate whose checksum fails. */
function badChecksum(): string {
  const token = generatePat();
  const last = token.at(-1) === 'A' ? 'B' : 'A';
  return token.slice(0, -1) + last;
}

async function counts(t: TestApp) {
  const [row] = await t.sql<{ audit: string; events: string; revoked: string; outbox: string }>(
    `SELECT (SELECT count(*) FROM audit_events) AS audit,
            (SELECT count(*) FROM domain_events) AS events,
            (SELECT count(*) FROM personal_access_tokens WHERE revoked_at IS NOT NULL) AS revoked,
            (SELECT count(*) FROM mail_outbox) AS outbox`,
  );
  return row;
}

describe('leaked-token revocation (POST /api/tokens/revocations)', () => {
  const receiver = new MailReceiver();
  beforeAll(async () => {
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.close();
  });
  const t = useTestApp(() => ({ env: { SMTP_URL: receiver.url, BACKGROUND_WORK: 'false' } }));
  const deliverMail = async () => {
    await t.running.app.get(EventRelay).drain();
    await t.running.app.get(MailSender).drain();
  };

  it('revokes a real token at once, audits it and emails its owner naming the token and the source', async () => {
    const alice = await signUp(t);
    const leaked = await createToken(t, alice, ['posts:read'], { name: 'ci deploy' });
    const kept = await createToken(t, alice, ['posts:read'], { name: 'kept' });
    await t.http().get('/api/tokens/self').set(bearer(leaked.token)).expect(200); // now cached

    const source = 'https://github.com/example/repo/blob/main/.env';
    const res = await t
      .http()
      .post(REVOCATIONS)
      .set(freshIp())
      .send({ tokens: [leaked.token, 'not-a-token', badChecksum()], source })
      .expect(202);
    expect(res.body).toEqual({ received: 3, checksumValid: 1, checksumInvalid: 2 });

    // Refused at once, in this instance's cache too; the other token is untouched.
    const refused = await t.http().get('/api/tokens/self').set(bearer(leaked.token)).expect(401);
    expect(refused.body).toMatchObject({ code: 'invalid_token' });
    await t.http().get('/api/tokens/self').set(bearer(kept.token)).expect(200);

    const audits = await t.sql<{ action: string; details: Record<string, unknown> }>(
      `SELECT action, details FROM audit_events
        WHERE action IN ('token.revoked', 'token.leak_reported', 'token.leak_report_received')
          AND (details->>'tokenId' = $1 OR action = 'token.leak_report_received')
        ORDER BY created_at, action`,
      [leaked.id],
    );
    expect(audits.map((a) => a.action).sort()).toEqual([
      'token.leak_report_received',
      'token.leak_reported',
      'token.revoked',
    ]);
    expect(audits.find((a) => a.action === 'token.revoked')?.details).toMatchObject({
      tokenId: leaked.id,
      by: 'leak_report',
    });
    expect(audits.find((a) => a.action === 'token.leak_reported')?.details).toMatchObject({
      tokenId: leaked.id,
      source,
    });
    expect(audits.find((a) => a.action === 'token.leak_report_received')?.details).toMatchObject({
      received: 3,
      checksumValid: 1,
      checksumInvalid: 2,
      revoked: 1,
      source,
    });

    const [event] = await t.sql<{ data: Record<string, unknown>; recipients: string[] }>(
      `SELECT data, recipients FROM domain_events WHERE type = 'token.leak_reported' AND data->>'tokenId' = $1`,
      [leaked.id],
    );
    expect(event.recipients).toEqual([alice.id]);
    expect(event.data).toEqual({
      tokenId: leaked.id,
      name: 'ci deploy',
      tokenPrefix: leaked.body.prefix,
      source,
      revokedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
    });

    await deliverMail();
    await receiver.waitFor(() => receiver.to(alice.email).length >= 1);
    const [mail] = receiver.to(alice.email);
    expect(receiver.to(alice.email)).toHaveLength(1);
    expect(mail.subject).toBe(
      'Security: your GetPaidX token "ci deploy" was found exposed and has been revoked',
    );
    expect(mail.text).toContain(leaked.body.prefix);
    expect(mail.text).toContain(source);
    expect(mail.text).toContain('not verified by GetPaidX');
    // The mail never carries the token itself.
    expect(mail.text).not.toContain(leaked.token);
    expect(String(mail.html)).not.toContain(leaked.token);

    // Reporting it again finds nothing live: no second mail, same answer.
    const again = await t
      .http()
      .post(REVOCATIONS)
      .set(freshIp())
      .send({ tokens: [leaked.token] })
      .expect(202);
    expect(again.body).toEqual({ received: 1, checksumValid: 1, checksumInvalid: 0 });
    await deliverMail();
    expect(receiver.to(alice.email)).toHaveLength(1);
  });

  it('says nothing about which tokens matched: a made-up token gets the same answer as a real one', async () => {
    const bob = await signUp(t);
    const real = await createToken(t, bob, ['posts:read']);
    const fake = generatePat(); // well-formed, valid checksum, belongs to no one
    const before = await counts(t);

    const forFake = await t
      .http()
      .post(REVOCATIONS)
      .set(freshIp())
      .send({ tokens: [fake], source: 'pastebin' })
      .expect(202);
    const afterFake = await counts(t);
    const forReal = await t
      .http()
      .post(REVOCATIONS)
      .set(freshIp())
      .send({ tokens: [real.token], source: 'pastebin' })
      .expect(202);

    expect(forFake.body).toEqual(forReal.body);
    expect(forFake.body).toEqual({ received: 1, checksumValid: 1, checksumInvalid: 0 });
    expect(forFake.headers['content-type']).toBe(forReal.headers['content-type']);
    // The fake revoked nothing and queued no mail (only the report's own audit row).
    expect(afterFake).toEqual({ ...before, audit: String(Number(before.audit) + 1) });
    await t.http().get('/api/tokens/self').set(bearer(real.token)).expect(401);
  });

  it('refuses more than 1,000 tokens with a 400 naming tokens, and writes nothing', async () => {
    const carol = await signUp(t);
    const real = await createToken(t, carol, ['posts:read']);
    const before = await counts(t);
    const tokens = [real.token, ...Array.from({ length: 1000 }, () => generatePat())];
    const res = await t.http().post(REVOCATIONS).set(freshIp()).send({ tokens }).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'validation_failed' });
    expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(
      'tokens',
    );
    expect(await counts(t)).toEqual(before);
    await t.http().get('/api/tokens/self').set(bearer(real.token)).expect(200);
  });

  it.each([
    ['an empty list', { tokens: [] }, 'tokens'],
    ['no list', { source: 'x' }, 'tokens'],
    ['a non-string token', { tokens: [notAString()] }, 'tokens'],
    ['an unknown field', { tokens: ['x'], revokeAll: true }, 'revokeAll'],
    ['a blank source', { tokens: ['x'], source: '   ' }, 'source'],
  ])('refuses %s (400 naming the field) and writes nothing', async (_what, body, field) => {
    const before = await counts(t);
    const res = await t.http().post(REVOCATIONS).set(freshIp()).send(body).expect(400);
    expect(res.body).toMatchObject({ code: 'validation_failed' });
    expect(
      (res.body as { errors: { field: string }[] }).errors.some((e) => e.field.startsWith(field)),
    ).toBe(true);
    expect(await counts(t)).toEqual(before);
  });

  it('limits reports to 30 a minute per IP (429 with Retry-After), without touching other addresses', async () => {
    const ip = freshIp();
    for (let i = 0; i < 30; i++)
      await t
        .http()
        .post(REVOCATIONS)
        .set(ip)
        .send({ tokens: [generatePat()] })
        .expect(202);
    const before = await counts(t);
    const limited = await t
      .http()
      .post(REVOCATIONS)
      .set(ip)
      .send({ tokens: [generatePat()] })
      .expect(429);
    expect(limited.body).toMatchObject({ code: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-limit']).toBe('30');
    expect(await counts(t)).toEqual(before);
    await t
      .http()
      .post(REVOCATIONS)
      .set(freshIp())
      .send({ tokens: [generatePat()] })
      .expect(202);
  });

  it('is listed in the catalog as a public endpoint with the report_leaked_tokens workflow', async () => {
    const catalog = (await t.http().get('/api/programmatic/catalog').expect(200)).body as {
      endpoints: { id: string; authKind: string; method: string; path: string }[];
      workflows: { id: string; steps: { endpoint: string }[] }[];
    };
    expect(catalog.endpoints.find((e) => e.id === 'tokens.report_leaked')).toMatchObject({
      authKind: 'public',
      method: 'POST',
      path: '/api/tokens/revocations',
    });
    const workflow = catalog.workflows.find((w) => w.id === 'report_leaked_tokens');
    expect(workflow?.steps[0].endpoint).toBe('tokens.report_leaked');
  });
});

/** A number where a string belongs (the validator must name the list, not crash). */
function notAString(): unknown {
  return 12345;
}

/**
 * The revoke reaches every instance at once (the same NOTIFY path as any revoke): a token
 * verified and cached on the second instance is refused there right after the report to the
 * first. PostgreSQL only.
 */
describe.runIf(onPostgres)('leaked-token revocation across instances', () => {
  let a: TestApp;
  let b: TestApp;
  const listening = (x: TestApp) => x.running.app.get(TokenRevocationListener).listening;

  beforeAll(async () => {
    a = await createTestApp({ env: { BACKGROUND_WORK: 'false' } });
    b = await createTestApp({ env: { BACKGROUND_WORK: 'false' }, sameDatabaseAs: a });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('refuses the reported token on the other instance immediately', async () => {
    await expect.poll(() => listening(a) && listening(b)).toBe(true);
    const dave = await signUp(a);
    const leaked = await createToken(a, dave, ['posts:read']);
    await b.http().get('/api/tokens/self').set(bearer(leaked.token)).expect(200); // cached on b
    await a
      .http()
      .post(REVOCATIONS)
      .set(freshIp())
      .send({ tokens: [leaked.token] })
      .expect(202);
    await expect
      .poll(async () => (await b.http().get('/api/tokens/self').set(bearer(leaked.token))).status, {
        timeout: 2000,
        interval: 20,
      })
      .toBe(401);
  });
});
