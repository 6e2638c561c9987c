#!/usr/bin/env node
// npm run bench: boots the built app on a scratch embedded database and, beside it, a bare Nest
// hello world (the baseline), then measures the baseline and every scenario in alternating turns
// (so drift affects all equally), and prints req/s, p50/p99 latency and each scenario's
// throughput ratio to the baseline and to its target's reference, all from the same run. Exits
// non-zero when a target is missed, so a regression cannot go unnoticed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { pinned, serverCommand, startFlags } from './pinning.js';
import { baseline, LIVENESS, scenarios } from './scenarios.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WARMUP_PASSES = Number(process.env.BENCH_WARMUP_PASSES ?? 2);
const PORT = Number(process.env.BENCH_PORT ?? 3900);
const only = process.env.BENCH_ONLY; // substring filter on scenario names

const dataDir = mkdtempSync(join(tmpdir(), 'gpx-bench-'));
const baseUrl = `http://127.0.0.1:${PORT}`;
const bareUrl = `http://127.0.0.1:${PORT + 1}`;
const bare = spawn(...serverCommand(['bench/bare-nest.js']), {
  env: { ...process.env, PORT: String(PORT + 1) },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const barePrototypedUrl = `http://127.0.0.1:${PORT + 2}`;
const barePrototyped = spawn(...serverCommand(['bench/bare-nest.js']), {
  env: { ...process.env, PORT: String(PORT + 2), BARE_ADAPTER: 'prototyped' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const servers = {
  bare: { url: bareUrl, process: bare },
  'bare-prototyped': { url: barePrototypedUrl, process: barePrototyped },
};
const server = spawn(...serverCommand(['dist/src/main.js']), {
  env: {
    ...process.env,
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? '',
    DATA_DIR: dataDir,
    PORT: String(PORT),
    LOG_LEVEL: 'warn',
    // Benchmarks measure the handlers, not the rate limiter.
    RATE_LIMIT_PER_MINUTE: '1000000',
    ANONYMOUS_RATE_LIMIT_PER_MINUTE: '1000000',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});

let exited = false;
server.once('exit', () => (exited = true));

async function waitReady() {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error('the app exited before it became ready');
    try {
      const answers = await Promise.all([
        fetch(`${baseUrl}/api/health/ready`),
        ...Object.values(servers).map((bareServer) => fetch(`${bareServer.url}/hello`)),
      ]);
      if (answers.every((answer) => answer.ok)) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the app did not become ready within 60 s');
}

function measure(request, server) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: (servers[server]?.url ?? baseUrl) + request.path,
        method: request.method ?? 'GET',
        headers: request.headers,
        body: request.body,
        connections: CONNECTIONS,
        duration: SECONDS,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

/** CPU seconds a process has used so far (user + system), from /proc; undefined elsewhere. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  await waitReady();
  const all = [
    baseline,
    ...scenarios.filter((s) => !only || s.name === LIVENESS || s.name.includes(only)),
  ];
  const prepared = [];
  for (const s of all)
    prepared.push({ ...s, request: s.setup ? await s.setup({ baseUrl }) : s.request });
  // Warm-up, so JIT and caches don't favour whichever runs last. Two passes: after one, the
  // token scenarios were still speeding up over the first rounds (BENCH_VERBOSE shows it), so the
  // rounds measured a warm-up rather than the steady state.
  for (let pass = 0; pass < WARMUP_PASSES; pass++)
    for (const s of prepared) await measure({ ...s.request }, s.server).catch(() => {});
  const samples = new Map(prepared.map((s) => [s.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of prepared) {
      const pid = (servers[s.server]?.process ?? server).pid;
      const cpuBefore = cpuSeconds(pid);
      const r = await measure(s.request, s.server);
      const cpu = cpuSeconds(pid) - cpuBefore;
      const bad = r.non2xx + r.errors + r.timeouts;
      if (bad > 0 && !s.request.allowNon2xx) throw new Error(`${s.name}: ${bad} failed requests`);
      samples.get(s.name).push({
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        // Requests per CPU-second of the server: what one core would serve flat out. Unlike
        // req/s it hardly moves when other work shares the machine, so targets are read from it.
        perCpu: cpu > 0 ? r.requests.total / cpu : NaN,
      });
    }
  }
  if (process.env.BENCH_VERBOSE)
    for (const [name, xs] of samples)
      console.log(name.padEnd(60), xs.map((x) => x.perCpu.toFixed(0).padStart(6)).join(' '));
  const rows = prepared.map((s) => {
    const xs = samples.get(s.name);
    return {
      name: s.name,
      rps: median(xs.map((x) => x.rps)),
      perCpu: median(xs.map((x) => x.perCpu)),
      p50: median(xs.map((x) => x.p50)),
      p99: median(xs.map((x) => x.p99)),
      target: s.target,
      against: s.target === undefined ? undefined : (s.against ?? baseline.name),
    };
  });
  // Ratios from requests per server CPU-second where /proc gives it (robust to other load on
  // the machine), else from req/s; BENCH_RATIO=rps forces req/s.
  const metric =
    process.env.BENCH_RATIO !== 'rps' && rows.every((r) => Number.isFinite(r.perCpu))
      ? 'perCpu'
      : 'rps';
  // Ratios are paired: each round measures every scenario back to back, so a round's ratio
  // compares like with like (the machine's speed drifts by ±15% between rounds on a shared VM,
  // which a ratio of separately taken medians would carry into the result); the median of the
  // rounds' ratios is reported.
  const ratio = (name, against) => {
    const xs = samples.get(name);
    const ys = samples.get(against);
    if (!xs || !ys) return NaN;
    return median(xs.map((x, i) => x[metric] / ys[i][metric]));
  };
  const missed = [];
  console.log(
    `\n${ROUNDS} rounds x ${SECONDS}s, ${CONNECTIONS} connections, medians of rounds (ratios: median of per-round ratios), ${pinned ? 'server on core 0, load on core 1' : 'unpinned'}; ratios from ${metric === 'perCpu' ? 'requests per server CPU-second' : 'req/s'}\n`,
  );
  console.log(
    '| scenario | req/s | req per CPU-s | p50 ms | p99 ms | vs bare Nest | vs liveness | target |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    let verdict = '';
    if (r.target !== undefined) {
      const achieved = ratio(r.name, r.against);
      const met = achieved >= r.target;
      if (!met)
        missed.push(`${r.name}: ${achieved.toFixed(2)} of ${r.against} (target ${r.target})`);
      const of =
        r.against === baseline.name ? 'bare Nest' : r.against === LIVENESS ? 'liveness' : r.against;
      verdict = `≥ ${r.target} × ${of}: ${met ? 'met' : 'MISSED'}`;
    }
    console.log(
      `| ${r.name} | ${r.rps.toFixed(0)} | ${Number.isFinite(r.perCpu) ? r.perCpu.toFixed(0) : ''} | ${r.p50} | ${r.p99} | ${ratio(r.name, baseline.name).toFixed(2)} | ${samples.has(LIVENESS) ? ratio(r.name, LIVENESS).toFixed(2) : ''} | ${verdict} |`,
    );
  }
  const peakRss = (pid) =>
    /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] / 1024;
  try {
    console.log(
      `\nPeak RSS: app ${peakRss(server.pid).toFixed(0)} MB, bare Nest ${peakRss(bare.pid).toFixed(0)} MB (node flags: ${startFlags.join(' ') || 'none'})`,
    );
  } catch {
    /* no /proc here */
  }
  if (missed.length) {
    console.error(`\nTargets missed:\n  ${missed.join('\n  ')}`);
    process.exitCode = 1;
  }
} finally {
  for (const bareServer of Object.values(servers)) bareServer.process.kill('SIGTERM');
  if (!exited) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  rmSync(dataDir, { recursive: true, force: true });
}
