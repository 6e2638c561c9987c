#!/usr/bin/env node
// npm run bench:workspace — automation runs queued and claimed per second (PostgreSQL).
//
// 1. Queue: one server with background work off; BENCH_RUNS runs are POSTed to
//    /api/workspace/automations/runs (BENCH_CONNECTIONS at a time, each with its own
//    idempotency key) → runs queued per second through the API.
// 2. Claim: for each worker count in BENCH_WORKERS (default "1,4"), a fresh queue of BENCH_RUNS
//    runs is inserted, then that many server instances start with background work on and
//    WORKSPACE_RUN_CONCURRENCY=1 each (so a worker is an instance competing through
//    FOR UPDATE SKIP LOCKED) and execute them through the local controller → runs claimed and
//    finished per second, measured from the first run's start to the last one's end (boot time
//    excluded). Also checks that every run ended SUCCEEDED after exactly one claim.
//
// Needs PostgreSQL: BENCH_DATABASE_URL (or DATABASE_URL) names a server; a scratch database is
// created and dropped. The embedded database serves one connection and one instance only.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { serverCommand } from './pinning.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WORKERS = (process.env.BENCH_WORKERS ?? '1,4').split(',').map(Number);
const BASE_PORT = Number(process.env.BENCH_PORT ?? 3920);
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (!adminUrl) {
  console.error('bench:workspace needs PostgreSQL: set BENCH_DATABASE_URL (or DATABASE_URL).');
  process.exit(2);
}

const dbName = `gpx_bench_ws_${process.pid}`;
const dbUrl = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const dataDir = mkdtempSync(join(tmpdir(), 'gpx-bench-ws-'));
const children = new Set();

async function admin(sql) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function startServer(port, env) {
  const [cmd, args] = serverCommand(['dist/src/main.js']);
  const proc = spawn(cmd, args, {
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      TOKEN_PEPPER: 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
      RATE_LIMIT_PER_MINUTE: '1000000',
      ANONYMOUS_RATE_LIMIT_PER_MINUTE: '1000000',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return proc;
}

async function waitReady(port) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/health/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server on ${port} did not become ready`);
}

async function stop(proc) {
  if (proc.exitCode !== null) return;
  await new Promise((resolve) => {
    proc.once('exit', resolve);
    proc.kill('SIGTERM');
  });
}

async function json(res) {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
}

try {
  await admin(`CREATE DATABASE "${dbName}"`);
  const api = `http://127.0.0.1:${BASE_PORT}`;
  const queueServer = startServer(BASE_PORT, { BACKGROUND_WORK: 'false' });
  await waitReady(BASE_PORT);

  // A user, a PAT with workspaces:run and a post, through the API.
  const signup = await fetch(`${api}/api/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      email: `bench-${Date.now()}@example.com`,
      password: 'correct horse battery staple',
      displayName: 'Bench',
    }),
  });
  const { csrfToken } = await json(signup.clone());
  const cookie = signup.headers.get('set-cookie').split(';')[0];
  const token = async (scopes) =>
    (
      await json(
        await fetch(`${api}/api/tokens`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Cookie: cookie,
            'X-CSRF-Token': csrfToken,
          },
          body: JSON.stringify({ name: 'bench', scopes }),
        }),
      )
    ).token;
  const runToken = await token(['workspaces:run']);
  const postToken = await token(['posts:write']);
  const post = await json(
    await fetch(`${api}/api/posts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${postToken}` },
      body: JSON.stringify({ title: 'bench', body: 'b', status: 'PUBLISHED' }),
    }),
  );

  let next = 0;
  const queueOne = async (round) => {
    const i = next++;
    await json(
      await fetch(`${api}/api/workspace/automations/runs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${runToken}` },
        body: JSON.stringify({
          postId: post.id,
          prompt: `bench run ${i}`,
          idempotencyKey: `bench-${round}-${i}`,
        }),
      }),
    );
  };
  const queueAll = async (round) => {
    next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < RUNS) await queueOne(round);
      }),
    );
    return RUNS / ((performance.now() - started) / 1000);
  };

  const results = [];
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  for (const [round, workers] of WORKERS.entries()) {
    await db.query('DELETE FROM automation_runs');
    const queuedPerSecond = await queueAll(round);
    const servers = Array.from({ length: workers }, (_, w) =>
      startServer(BASE_PORT + 1 + w, {
        BACKGROUND_WORK: 'true',
        WORKSPACE_RUN_CONCURRENCY: '1',
        EVENTS_POLL_MS: '20',
      }),
    );
    const deadline = Date.now() + 600_000;
    for (;;) {
      const { rows } = await db.query(
        `SELECT count(*) FILTER (WHERE status IN ('QUEUED', 'RUNNING'))::int AS open FROM automation_runs`,
      );
      if (rows[0].open === 0) break;
      if (Date.now() > deadline) throw new Error('runs did not finish within 10 minutes');
      await new Promise((r) => setTimeout(r, 200));
    }
    const { rows } = await db.query(
      `SELECT count(*)::int AS n,
              count(*) FILTER (WHERE status = 'SUCCEEDED' AND attempts = 1)::int AS once,
              extract(epoch FROM max(finished_at) - min(started_at)) AS seconds
         FROM automation_runs`,
    );
    await Promise.all(servers.map(stop));
    results.push({
      workers,
      runs: rows[0].n,
      'queued/s (API)': Math.round(queuedPerSecond),
      'claimed+finished/s': Math.round(rows[0].n / Number(rows[0].seconds)),
      'succeeded after one claim': rows[0].once,
    });
  }
  await db.end();
  await stop(queueServer);
  console.table(results);
} finally {
  for (const proc of children) proc.kill('SIGKILL');
  await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
}
