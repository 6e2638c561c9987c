#!/usr/bin/env node
// npm run bench:webhooks — outgoing webhook deliveries on PostgreSQL (BENCH_DATABASE_URL, default
// the local server). Creates a scratch database, boots the built app on it, and a receiver on
// loopback (this process) that answers 200 and verifies every signature. Two measurements:
//  1. latency: posts published over HTTP at a steady rate; commit → 2xx at the receiver per event
//     (the body's `timestamp` is when the event was recorded, inside the committing transaction);
//  2. throughput: BENCH_EVENTS events committed to the outbox at once (one SQL transaction), and
//     deliveries per second until the receiver has 2xx'd them all (outbox → fan-out → signed POST).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { pinned, serverCommand } from './pinning.js';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const RATE = Number(process.env.BENCH_RATE ?? 50); // posts per second in the latency phase
const LATENCY_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PORT = Number(process.env.BENCH_PORT ?? 3902);
const base = `http://127.0.0.1:${PORT}`;
const dbName = `gpx_bench_webhooks_${process.pid}`;
const dbUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString();

// The receiver: records when each webhook-id arrived and how long after its event was recorded.
const arrivals = new Map();
let verifier;
let badSignatures = 0;
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const now = Date.now();
    const body = Buffer.concat(chunks).toString();
    try {
      verifier?.verify(body, req.headers);
    } catch {
      badSignatures++;
    }
    const id = req.headers['webhook-id'];
    if (!arrivals.has(id))
      arrivals.set(id, { at: now, latency: now - Date.parse(JSON.parse(body).timestamp) });
    res.writeHead(200).end('ok');
  });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}/hooks`;

const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE "${dbName}"`);
const dataDir = mkdtempSync(join(tmpdir(), 'gpx-bench-webhooks-'));
const server = spawn(...serverCommand(['dist/src/main.js']), {
  env: {
    ...process.env,
    DATABASE_URL: dbUrl,
    DATA_DIR: dataDir,
    PORT: String(PORT),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ANONYMOUS_RATE_LIMIT_PER_MINUTE: '1000000',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const db = new pg.Client({ connectionString: dbUrl });
const pct = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(count, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (arrivals.size < count) {
    if (Date.now() > deadline) throw new Error(`only ${arrivals.size} of ${count} delivered`);
    await sleep(5);
  }
}

try {
  for (let i = 0; ; i++) {
    if (i > 240) throw new Error('app did not start');
    try {
      if ((await fetch(`${base}/api/health/ready`)).ok) break;
    } catch {}
    await sleep(250);
  }
  await db.connect();
  const signup = await fetch(`${base}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'webhook-bench@example.com',
      password: 'bench password 123',
      displayName: 'Bench',
    }),
  });
  const { csrfToken, user } = await signup.json();
  const cookie = signup.headers.get('set-cookie').split(';')[0];
  const { token } = await (
    await fetch(`${base}/api/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ name: 'bench', scopes: ['posts:write', 'webhooks:manage'] }),
    })
  ).json();
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const endpoint = await (
    await fetch(`${base}/api/webhooks/endpoints`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ url: receiverUrl, events: ['post.published'] }),
    })
  ).json();
  verifier = new Webhook(endpoint.secret);

  // 1. Latency: a steady stream of real publications.
  const posts = RATE * LATENCY_SECONDS;
  const started = Date.now();
  const requests = [];
  for (let i = 0; i < posts; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    requests.push(
      fetch(`${base}/api/posts`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ title: `bench ${i}`, body: 'b', status: 'PUBLISHED' }),
      }).then((r) => {
        if (r.status !== 201) throw new Error(`publish answered ${r.status}`);
      }),
    );
  }
  await Promise.all(requests);
  await waitFor(posts, 60_000);
  const latencies = [...arrivals.values()].map((a) => a.latency);

  // 2. Throughput: EVENTS committed to the outbox at once, then drained to the receiver.
  arrivals.clear();
  await db.query('BEGIN');
  const ids = Array.from({ length: EVENTS }, () => randomUUID());
  await db.query(
    `INSERT INTO domain_events (id, type, occurred_at, recipients, data)
     SELECT id, 'post.published', now(), ARRAY[$2::uuid],
            jsonb_build_object('postId', id, 'referenceId', 'bench', 'authorId', $2::text,
                               'title', 'bench', 'status', 'PUBLISHED', 'publishedAt', now())
       FROM unnest($1::uuid[]) AS id`,
    [ids, user.id],
  );
  await db.query(
    `INSERT INTO domain_event_dispatches (event_id, consumer, run_at)
     SELECT id, 'webhooks', now() FROM unnest($1::uuid[]) AS id`,
    [ids],
  );
  const committed = Date.now();
  await db.query('COMMIT');
  const trace = process.env.BENCH_TRACE
    ? setInterval(async () => {
        const { rows: r } = await db.query(
          `SELECT (SELECT count(*) FROM domain_event_dispatches) AS dispatches,
                  (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS pending`,
        );
        console.log(
          `${Date.now() - committed} ms: ${JSON.stringify(r[0])}, delivered ${arrivals.size}`,
        );
      }, 1000)
    : undefined;
  await waitFor(EVENTS, 300_000);
  clearInterval(trace);
  const last = Math.max(...[...arrivals.values()].map((a) => a.at));
  const seconds = (last - committed) / 1000;
  const { rows } = await db.query(
    `SELECT count(*)::int AS n, count(DISTINCT webhook_id)::int AS ids FROM webhook_delivery_attempts a
       JOIN webhook_deliveries d ON d.id = a.delivery_id`,
  );

  console.log(
    `\nOutgoing webhooks (PostgreSQL, EVENTS_POLL_MS default, ${pinned ? 'server on core 0, receiver and load on core 1' : 'unpinned'})\n`,
  );
  console.log('| measurement | value |');
  console.log('|---|---:|');
  console.log(`| latency phase: posts published (${RATE}/s for ${LATENCY_SECONDS}s) | ${posts} |`);
  console.log(`| commit → 2xx p50 ms | ${pct(latencies, 50)} |`);
  console.log(`| commit → 2xx p99 ms | ${pct(latencies, 99)} |`);
  console.log(`| commit → 2xx max ms | ${Math.max(...latencies)} |`);
  console.log(`| throughput phase: events committed at once | ${EVENTS} |`);
  console.log(`| outbox → 2xx deliveries/s | ${(EVENTS / seconds).toFixed(0)} |`);
  console.log(
    `| attempts recorded / distinct webhook-ids (duplicates would differ) | ${rows[0].n} / ${rows[0].ids} |`,
  );
  console.log(`| signatures that failed to verify | ${badSignatures} |`);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await db.end().catch(() => {});
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
  rmSync(dataDir, { recursive: true, force: true });
  receiver.close();
}
