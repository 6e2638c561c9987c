#!/usr/bin/env node
// npm run soak: the embedded default (no DATABASE_URL) under 32 concurrent clients mixing reads
// and writes (bench/mixed-workload.js) for SOAK_SECONDS (default 60). Passes when no answer is a
// 5xx, no request fails in transport, and the process is still up and ready at the end.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareWriter, runMixed } from './mixed-workload.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 32);
const PORT = Number(process.env.SOAK_PORT ?? 3931);
const base = `http://127.0.0.1:${PORT}`;
const dataDir = mkdtempSync(join(tmpdir(), 'gpx-soak-'));

const env = { ...process.env };
delete env.DATABASE_URL; // the embedded default is what this soaks
const server = spawn(process.execPath, ['dist/src/main.js'], {
  env: {
    ...env,
    DATA_DIR: dataDir,
    PORT: String(PORT),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ANONYMOUS_RATE_LIMIT_PER_MINUTE: '1000000',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
let exit;
server.once('exit', (code, signal) => (exit = { code, signal }));

async function ready(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit) return false;
    try {
      if ((await fetch(`${base}/api/health/ready`)).ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

let failed = true;
try {
  if (!(await ready(60_000))) throw new Error('the app did not become ready');
  const writers = [];
  for (let i = 0; i < 4; i++) writers.push(await prepareWriter(base));
  console.log(
    `soak: ${CONNECTIONS} connections, ${SECONDS} s, embedded PGlite, 70/20/10 feed/post/write`,
  );
  const result = await runMixed({
    urls: [base],
    connections: CONNECTIONS,
    seconds: SECONDS,
    writers,
    onTick: ({ byStatus, errors }) => console.log('  …', JSON.stringify({ byStatus, errors })),
  });
  const alive = !exit && (await ready(5_000));
  console.log(
    `soak result: ${result.total} requests, ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms; ` +
      `statuses ${JSON.stringify(result.byStatus)}; transport errors ${JSON.stringify(result.errors)}; ` +
      `5xx: ${result.serverErrors}; process ${alive ? 'alive and ready' : `GONE ${JSON.stringify(exit)}`}`,
  );
  failed = result.serverErrors > 0 || result.transportErrors > 0 || !alive;
} catch (error) {
  console.error(error);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => (exit ? r() : server.once('exit', r)));
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(failed ? 'soak FAILED' : 'soak passed');
process.exit(failed ? 1 : 0);
