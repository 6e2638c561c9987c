#!/usr/bin/env node
// npm run bench:scale: the mixed PAT workload (bench/mixed-workload.js: 70 % feed reads, 20 % post
// reads, 10 % writes) against one instance, then against two on the same PostgreSQL database
// (and Redis, when REDIS_URL is set), spread round-robin by the client. Prints throughput, error
// counts and latency for each, and the ratio. DATABASE_URL (or BENCH_DATABASE_URL) is required:
// several instances share PostgreSQL only. A fresh database is created and dropped.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { prepareWriter, runMixed } from './mixed-workload.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (!adminUrl) {
  console.error('bench:scale needs DATABASE_URL (PostgreSQL): several instances share it.');
  process.exit(2);
}
const database = `gpx_bench_${randomBytes(4).toString('hex')}`;
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${database}`;
const prefix = `gpx-bench-${randomBytes(4).toString('hex')}:`;
// One deployment: every instance shares the token pepper and the secrets key.
const shared = {
  TOKEN_PEPPER: randomBytes(32).toString('base64url'),
  SECRETS_KEY: randomBytes(32).toString('base64'),
};

async function admin(sql) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const servers = [];
async function start(port) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gpx-scale-'));
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      DATABASE_URL: dbUrl.toString(),
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      REDIS_KEY_PREFIX: prefix,
      ...shared,
      RATE_LIMIT_PER_MINUTE: '1000000',
      ANONYMOUS_RATE_LIMIT_PER_MINUTE: '1000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const server = { child, dataDir, url: `http://127.0.0.1:${port}` };
  servers.push(server);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${server.url}/api/health/ready`)).ok) return server;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`instance on ${port} did not become ready`);
}

const line = (label, r) =>
  `${label.padEnd(12)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(7)} ms  ` +
  `${r.total} requests, ${r.serverErrors} 5xx, ${r.transportErrors} transport errors, statuses  ${JSON.stringify(r.byStatus)}`;

let code = 1;
try {
  await admin(`CREATE DATABASE "${database}"`);
  const a = await start(Number(process.env.BENCH_PORT ?? 3941));
  const writers = [];
  for (let i = 0; i < 4; i++) writers.push(await prepareWriter(a.url));
  const run = (urls) => runMixed({ urls, connections: CONNECTIONS, seconds: SECONDS, writers });
  await run([a.url]); // warm-up: JIT, caches, connection pools
  const one = await run([a.url]);
  const b = await start(Number(process.env.BENCH_PORT ?? 3941) + 1);
  await run([b.url]);
  const two = await run([a.url, b.url]);
  console.log(
    `mixed PAT workload (70/20/10), ${CONNECTIONS} connections, ${SECONDS} s each, PostgreSQL` +
      (process.env.REDIS_URL ? ' + Redis' : ''),
  );
  console.log(line('1 instance', one));
  console.log(line('2 instances', two));
  console.log(
    `scale-out ratio ${(two.rps / one.rps).toFixed(2)} — on a machine with few cores the instances, PostgreSQL ` +
      `and this load generator share the same CPUs, so the ratio says little about a real deployment.`,
  );
  code =
    one.serverErrors + two.serverErrors + one.transportErrors + two.transportErrors === 0 ? 0 : 1;
} catch (error) {
  console.error(error);
} finally {
  for (const s of servers) {
    s.child.kill('SIGTERM');
    await new Promise((r) => (s.child.exitCode !== null ? r() : s.child.once('exit', r)));
    rmSync(s.dataDir, { recursive: true, force: true });
  }
  await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
}
process.exit(code);
