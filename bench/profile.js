#!/usr/bin/env node
// npm run bench:profile — where a request's CPU time goes. For each route (liveness, PAT
// GET /api/me, PAT feed at 1,000 posts) it boots the built app under `node --cpu-prof` on a
// scratch PostgreSQL database (BENCH_DATABASE_URL, default the local server), warms it up, loads
// it with autocannon, and prints the top self-time functions and packages of the samples taken
// under load (boot and setup are cut off with marks, see profile-marks.js).
// PROFILE_SECONDS (default 10), PROFILE_TOP (default 15), PROFILE_ONLY=liveness,me,feed picks
// routes, PROFILE_KEEP=1 keeps the .cpuprofile files.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { pinned, serverCommand } from './pinning.js';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 10);
const TOP = Number(process.env.PROFILE_TOP ?? 15);
const PORT = Number(process.env.BENCH_PORT ?? 3902);
const base = `http://127.0.0.1:${PORT}`;
const dbName = `gpx_profile_${process.pid}`;
const dbUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString();
const work = mkdtempSync(join(tmpdir(), 'gpx-profile-'));
const root = process.cwd();

const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE "${dbName}"`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const load = (path, headers, duration) =>
  new Promise((resolve, reject) =>
    autocannon({ url: base + path, headers, connections: 10, duration }, (err, r) =>
      err ? reject(err) : resolve(r),
    ),
  );

async function boot(name) {
  const dir = join(work, name);
  const marks = join(work, `${name}.marks`);
  writeFileSync(marks, '');
  const server = spawn(
    ...serverCommand([
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      '--import',
      './bench/profile-marks.js',
      'dist/src/main.js',
    ]),
    {
      env: {
        ...process.env,
        DATABASE_URL: dbUrl,
        DATA_DIR: join(work, 'data'),
        PORT: String(PORT),
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_MINUTE: '1000000',
        ANONYMOUS_RATE_LIMIT_PER_MINUTE: '1000000',
        PROFILE_MARKS: marks,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  for (let i = 0; ; i++) {
    if (i > 240) throw new Error('app did not start');
    try {
      if ((await fetch(`${base}/api/health/ready`)).ok) break;
    } catch {}
    await sleep(250);
  }
  return { server, dir, marks };
}

async function patAndUser() {
  const signup = await fetch(`${base}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `profile-${Date.now()}@example.com`,
      password: 'bench password 123',
      displayName: 'Bench',
    }),
  });
  const { csrfToken, user } = await signup.json();
  const cookie = signup.headers.get('set-cookie').split(';')[0];
  const created = await (
    await fetch(`${base}/api/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ name: 'profile', scopes: ['posts:read'] }),
    })
  ).json();
  return { userId: user.id, headers: { authorization: `Bearer ${created.token}` } };
}

async function seedPosts(userId, total) {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  await db.query(
    `INSERT INTO posts (reference_id, author_id, title, body, status, hashtags, published_at, created_at)
     SELECT substr(md5(random()::text), 1, 10), $1, 'Post ' || g, repeat('Some markdown body text. ', 20),
            'PUBLISHED', ARRAY['tag' || (g % 50)], now() - g * interval '10 minutes', now() - g * interval '10 minutes'
       FROM generate_series(1, $2::int) AS g`,
    [userId, total],
  );
  await db.query('ANALYZE posts');
  await db.end();
}

/** Which package (or part of Node, or of the app) a profile URL belongs to. */
function packageOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:internal/')) return `node:internal/${url.slice(14).split('/')[0]}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 14).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const path = url.replace(/^file:\/\//, '');
  if (path.includes('/dist/src/')) return `app: ${path.split('/dist/src/')[1].split('/')[0]}`;
  return relative(root, path) || path;
}

/** Self time per function and per package of the samples between the two marks. */
function summarise(profile, [from, to]) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map();
  const pkg = new Map();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < from || t > to) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const { callFrame: cf } = byId.get(profile.samples[i]);
    const name = cf.functionName || '(anonymous)';
    const where = cf.url
      ? `${packageOf(cf.url, name)} ${cf.url.split('/').pop()}:${cf.lineNumber + 1}`
      : '';
    const key = `${name} ${where}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + dt);
    const p = packageOf(cf.url, name);
    pkg.set(p, (pkg.get(p) ?? 0) + dt);
    total += dt;
  }
  const top = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([k, v]) => `| ${k} | ${((100 * v) / total).toFixed(1)} |`);
  return { total, functions: top(fn), packages: top(pkg) };
}

const scenarios = [
  {
    name: 'liveness',
    label: 'GET /api/health/live',
    prepare: async () => ({ path: '/api/health/live' }),
  },
  {
    name: 'me',
    label: 'PAT GET /api/me',
    prepare: async () => ({ path: '/api/me', headers: (await patAndUser()).headers }),
  },
  {
    name: 'feed',
    label: 'PAT GET /api/posts?limit=20 (1,000 posts)',
    prepare: async (first) => {
      const { userId, headers } = await patAndUser();
      if (first) await seedPosts(userId, 1000);
      return { path: '/api/posts?limit=20', headers };
    },
  },
];

try {
  let seeded = false;
  console.log(
    `# CPU profile under load (${SECONDS}s per route, 10 connections, ${pinned ? 'server on core 0, load on core 1' : 'unpinned'})`,
  );
  const only = process.env.PROFILE_ONLY; // e.g. 'me' or 'feed'
  for (const s of scenarios.filter((x) => !only || only.split(',').includes(x.name))) {
    const { server, dir, marks } = await boot(s.name);
    const request = await s.prepare(!seeded && s.name === 'feed' ? (seeded = true) : false);
    await load(request.path, request.headers, 3); // warm-up: JIT, caches, pool
    server.kill('SIGUSR2');
    const result = await load(request.path, request.headers, SECONDS);
    server.kill('SIGUSR2');
    await sleep(100);
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    const window = readFileSync(marks, 'utf8').trim().split('\n').map(Number);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const { total, functions, packages } = summarise(profile, window);
    const bad = result.non2xx + result.errors + result.timeouts;
    console.log(
      `\n## ${s.label}: ${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms, ${bad} failed; ${(total / 1e6).toFixed(1)} s of samples\n`,
    );
    console.log('| package / part | self % |\n|---|---:|');
    console.log(packages.join('\n'));
    console.log('\n| function | self % |\n|---|---:|');
    console.log(functions.join('\n'));
    if (process.env.PROFILE_KEEP) console.log(`\nprofile: ${join(dir, file)}`);
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
  if (!process.env.PROFILE_KEEP) rmSync(work, { recursive: true, force: true });
}
