import { Client } from 'pg';
import { DATABASE_APPLICATION_NAME } from '../../src/database/data-source-options.js';
import { DomainEvents } from '../../src/events/index.js';
import { EventsProbeModule } from '../support/events-probe.module.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const onPostgres = Boolean(process.env.DATABASE_URL);
const EVENTS = 300;

/**
 * Background work across instances, with a fault: two instances relay the same outbox while the
 * database cuts one instance's connections in the middle of it. Every event's consumer effect
 * (a row keyed by the event id in probe_handled) happens exactly once, and nothing is left
 * behind. Webhook deliveries, automation runs and schedules claim their work the same way
 * (claimDueJobs); their own suites can reuse this shape.
 */
describe.skipIf(!onPostgres)('event relay on two instances, one losing its connections', () => {
  let a: TestApp;
  let b: TestApp;
  let admin: Client;

  beforeAll(async () => {
    a = await createTestApp({ extraImports: [EventsProbeModule], env: { EVENTS_POLL_MS: '10' } });
    b = await createTestApp({
      sameDatabaseAs: a,
      extraImports: [EventsProbeModule],
      env: { EVENTS_POLL_MS: '10' },
    });
    await a.sql('CREATE TABLE IF NOT EXISTS probe_handled (event_id uuid PRIMARY KEY)');
    admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    try {
      await b?.close();
    } finally {
      await a?.close();
    }
  });

  it('handles each of 300 events exactly once while A’s connections are terminated mid-relay', async () => {
    const database = new URL(a.databaseUrl!).pathname.slice(1);
    const events = a.running.app.get(DomainEvents);
    const ids: string[] = [];
    // Recorded in batches, so the relays are busy when the connections are cut.
    const recording = (async () => {
      for (let n = 0; n < EVENTS; n += 10)
        await a.db
          .transaction(async (manager) => {
            for (let i = n; i < n + 10; i++)
              ids.push(
                await events.record(manager, 'probe.happened', { n: i }, { recipients: [] }),
              );
          })
          .catch(() => undefined); // a batch cut with its connection is rolled back: not recorded
    })();
    let terminated = 0;
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 300));
      // Only A's pool: B's connections and the test's own are left alone. Both apps name their
      // pools alike, so A's backends are told apart by the process's client port.
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = $1 AND application_name = $2 AND client_port = ANY($3::int[])`,
        [database, DATABASE_APPLICATION_NAME, await poolPorts(a)],
      );
      terminated += rowCount ?? 0;
    }
    await recording;

    // Read through B: A's pool may still hold a connection the server cut (its next query fails).
    const committed = (await b.sql<{ id: string }>('SELECT id FROM domain_events')).map(
      (r) => r.id,
    );
    await expect
      // A dispatch whose claim committed but whose release was cut with the connection waits
      // for its lease (60 s) to expire, as after a crash; then either instance takes it.
      .poll(async () => (await b.sql('SELECT 1 FROM domain_event_dispatches')).length, {
        timeout: 75_000,
        interval: 500,
      })
      .toBe(0);
    const handled = await b.sql<{ event_id: string }>('SELECT event_id FROM probe_handled');
    expect(handled.map((r) => r.event_id).sort()).toEqual([...committed].sort());
    expect(committed.length).toBeGreaterThan(0);
    console.log(
      `event relay under faults: ${committed.length} events committed (of ${EVENTS} attempted), ` +
        `each handled once across two instances; ${terminated} of A's connections terminated`,
    );
  });
});

/** The local ports of the app's pooled connections, as PostgreSQL sees them (client_port). */
async function poolPorts(t: TestApp): Promise<number[]> {
  const driver = t.db.driver as unknown as {
    master: { _clients: { connection?: { stream?: { localPort?: number } } }[] };
  };
  return driver.master._clients
    .map((c) => c.connection?.stream?.localPort)
    .filter((p): p is number => typeof p === 'number');
}
