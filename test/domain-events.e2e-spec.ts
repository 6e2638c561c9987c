import { claimDueJobs } from '../src/database/index.js';
import { DomainEvents, EventRelay } from '../src/events/index.js';
import { EventsProbeModule, ProbeConsumerLog } from './support/events-probe.module.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const onPostgres = Boolean(process.env.DATABASE_URL);

async function prepare(app: TestApp) {
  await app.sql('CREATE TABLE IF NOT EXISTS probe_handled (event_id uuid PRIMARY KEY)');
}

/** Records `probe.happened` in a transaction that commits (or, with `rollback`, throws). */
async function recordProbe(app: TestApp, n: number, rollback = false): Promise<string> {
  const events = app.running.app.get(DomainEvents);
  let id = '';
  await app.db
    .transaction(async (manager) => {
      id = await events.record(manager, 'probe.happened', { n }, { recipients: [] });
      if (rollback) throw new Error('roll back');
    })
    .catch((err: Error) => {
      if (!rollback) throw err;
    });
  return id;
}

describe('domain events: the outbox and its relay', () => {
  let app: TestApp;
  let log: ProbeConsumerLog;
  const drain = () => app.running.app.get(EventRelay).drain();

  beforeAll(async () => {
    // No background loop: the test decides when dispatches run.
    app = await createTestApp({
      env: { BACKGROUND_WORK: 'false' },
      extraImports: [EventsProbeModule],
    });
    await prepare(app);
    log = app.running.app.get(ProbeConsumerLog);
  });
  afterAll(() => app?.close());

  it('a committed event is handled once, with its data', async () => {
    const id = await recordProbe(app, 1);
    expect(
      // Other consumers (webhooks subscribes to every type) get their own dispatch rows.
      await app.sql(
        `SELECT consumer FROM domain_event_dispatches WHERE event_id = $1 AND consumer = 'probe'`,
        [id],
      ),
    ).toEqual([{ consumer: 'probe' }]);
    await drain();
    await drain();
    expect(log.handled.filter((e) => e.id === id)).toEqual([
      expect.objectContaining({ id, type: 'probe.happened', data: { n: 1 }, recipients: [] }),
    ]);
    expect(await app.sql('SELECT * FROM probe_handled WHERE event_id = $1', [id])).toHaveLength(1);
    // The dispatch is retired with the handler's writes; the event stays as the log.
    expect(
      await app.sql('SELECT * FROM domain_event_dispatches WHERE event_id = $1', [id]),
    ).toEqual([]);
    expect(await app.sql('SELECT type FROM domain_events WHERE id = $1', [id])).toEqual([
      { type: 'probe.happened' },
    ]);
  });

  it('a rolled-back event never exists and is never handled', async () => {
    const before = log.handled.length;
    const id = await recordProbe(app, 2, true);
    await drain();
    expect(log.handled.length).toBe(before);
    expect(await app.sql('SELECT * FROM domain_events WHERE id = $1', [id])).toEqual([]);
  });

  it('recording outside a transaction, or an undeclared type, is refused', async () => {
    const events = app.running.app.get(DomainEvents);
    await expect(
      events.record(app.db.manager, 'probe.happened', { n: 3 }, { recipients: [] }),
    ).rejects.toThrow(/inside the change's transaction/);
    await expect(
      app.db.transaction((m) => events.record(m, 'nobody.declared', {}, { recipients: [] })),
    ).rejects.toThrow(/not declared/);
  });

  it('a failing handler rolls back its writes and is retried with backoff, then succeeds', async () => {
    const id = await recordProbe(app, 4);
    log.failuresLeft.set(id, 1);
    await drain();
    const [waiting] = await app.sql<{ attempts: number; last_error: string; run_at: Date }>(
      'SELECT attempts, last_error, run_at FROM domain_event_dispatches WHERE event_id = $1',
      [id],
    );
    expect(waiting.attempts).toBe(1);
    expect(waiting.last_error).toContain('failing on purpose');
    expect(new Date(waiting.run_at).getTime()).toBeGreaterThan(Date.now() + 500);
    expect(await app.sql('SELECT * FROM probe_handled WHERE event_id = $1', [id])).toEqual([]);
    // Due again (as if the backoff had passed): handled exactly once.
    await app.sql(
      `UPDATE domain_event_dispatches SET run_at = now() - interval '1 second' WHERE event_id = $1`,
      [id],
    );
    await drain();
    expect(await app.sql('SELECT * FROM probe_handled WHERE event_id = $1', [id])).toHaveLength(1);
    expect(
      await app.sql('SELECT * FROM domain_event_dispatches WHERE event_id = $1', [id]),
    ).toEqual([]);
  });

  it('a dispatch claimed by a worker that died is handled once its lease runs out', async () => {
    const id = await recordProbe(app, 5);
    const claimed = await claimDueJobs(app.db, {
      table: 'domain_event_dispatches',
      worker: 'worker-that-dies',
      limit: 10,
      leaseMs: 200,
      now: new Date(),
    });
    expect(claimed.map((r) => r.event_id)).toContain(id);
    await drain(); // still leased: nothing to do
    expect(log.handled.some((e) => e.id === id)).toBe(false);
    await new Promise((r) => setTimeout(r, 250));
    await drain();
    expect(await app.sql('SELECT * FROM probe_handled WHERE event_id = $1', [id])).toHaveLength(1);
  });
});

describe.skipIf(!onPostgres)('domain events: two instances share the work', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp({ extraImports: [EventsProbeModule], env: { EVENTS_POLL_MS: '10' } });
    b = await createTestApp({
      sameDatabaseAs: a,
      extraImports: [EventsProbeModule],
      env: { EVENTS_POLL_MS: '10' },
    });
    await prepare(a);
  });
  afterAll(async () => {
    try {
      await b?.close();
    } finally {
      await a?.close();
    }
  });

  it('200 events recorded on either instance are each handled exactly once', async () => {
    const ids = await Promise.all(
      Array.from({ length: 200 }, (_, n) => recordProbe(n % 2 ? a : b, n)),
    );
    await Promise.all([a, b].map((t) => t.running.app.get(EventRelay).drain()));
    const deadline = Date.now() + 10_000;
    while (
      Date.now() < deadline &&
      (await a.sql('SELECT 1 FROM domain_event_dispatches')).length > 0
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const handledA = a.running.app.get(ProbeConsumerLog).handled.map((e) => e.id);
    const handledB = b.running.app.get(ProbeConsumerLog).handled.map((e) => e.id);
    const all = [...handledA, ...handledB].filter((id) => ids.includes(id));
    expect(all.sort()).toEqual([...ids].sort());
    expect(new Set(all).size).toBe(200);
    // Both instances took part (the claim shares work rather than one taking it all).
    expect(handledA.length).toBeGreaterThan(0);
    expect(handledB.length).toBeGreaterThan(0);
    expect(await a.sql('SELECT count(*)::int AS n FROM probe_handled')).toEqual([{ n: 200 }]);
  });
});
