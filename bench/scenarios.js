// Benchmark scenarios. Each one names a request to hammer; `setup` (optional) prepares what it
// needs through the public API of the running app and returns the request options. `target` is
// the minimum throughput ratio that an issue asks for, against `against` (default: the bare Nest
// baseline); `npm run bench` exits non-zero when one is missed.

/** @typedef {{ baseUrl: string }} BenchContext */
/** @typedef {{ method?: string, path: string, headers?: Record<string,string>, body?: string }} BenchRequest */
/** @typedef {{ name: string, target?: number, against?: string, server?: 'bare' | 'bare-prototyped', setup?: (ctx: BenchContext) => Promise<BenchRequest>, request?: BenchRequest }} Scenario */

export const LIVENESS = 'GET /api/health/live';

/**
 * The yardstick every ratio is read against: a bare NestJS + Express hello world from the same
 * packages (bench/bare-nest.js), run beside the app in the same run.
 */
export const baseline = {
  name: 'bare Nest hello (baseline)',
  server: 'bare',
  request: { path: '/hello' },
};

async function json(res) {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
}

/** A signed-up user with a PAT holding `scopes`, made through the API like any client. */
async function patFor(baseUrl, scopes) {
  const email = `bench-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const signup = await fetch(`${baseUrl}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'bench password 123', displayName: 'Bench' }),
  });
  const { csrfToken } = await json(signup);
  const cookie = signup.headers.get('set-cookie').split(';')[0];
  const created = await json(
    await fetch(`${baseUrl}/api/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ name: 'bench', scopes }),
    }),
  );
  return created.token;
}

/** @type {Scenario[]} */
export const scenarios = [
  {
    // Context, not a target: the bare hello world on the app's Express adapter, which builds
    // requests with Express's prototypes already in place (src/common/http/express-adapter.ts).
    // Read liveness against it for what the app's own stack costs over a framework spared the
    // same cost (its "vs liveness" column is the inverse).
    name: 'bare Nest hello, app adapter',
    server: 'bare-prototyped',
    request: { path: '/hello' },
  },
  // No I/O, no auth: what the app's own per-request stack costs over the framework's.
  { name: LIVENESS, target: 0.6, request: { path: '/api/health/live' } },
  {
    // What agents fetch: HTTP clients ask for gzip by default (fetch/undici, requests, curl
    // --compressed), and the catalog answers with bytes gzipped once at boot.
    name: 'GET /api/programmatic/catalog (gzip)',
    target: 0.9,
    against: LIVENESS,
    request: { path: '/api/programmatic/catalog', headers: { 'accept-encoding': 'gzip' } },
  },
  {
    // The same document uncompressed (~530 KB): what its size costs to copy onto the socket.
    name: 'GET /api/programmatic/catalog (identity)',
    request: { path: '/api/programmatic/catalog' },
  },
  {
    name: 'GET /api/programmatic/catalog with If-None-Match (304)',
    setup: async ({ baseUrl }) => {
      const res = await fetch(`${baseUrl}/api/programmatic/catalog`);
      return {
        path: '/api/programmatic/catalog',
        headers: { 'if-none-match': res.headers.get('etag') },
        allowNon2xx: true,
      };
    },
  },
  { name: 'GET /api/health/ready (db ping)', request: { path: '/api/health/ready' } },
  {
    name: 'PAT GET /api/me',
    target: 0.9,
    against: LIVENESS,
    setup: async ({ baseUrl }) => ({
      path: '/api/me',
      headers: { authorization: `Bearer ${await patFor(baseUrl, ['posts:read'])}` },
    }),
  },
  {
    // Also records which scope the call used (token_scope_usage), off the request path.
    name: 'PAT GET /api/posts?limit=20 (feed)',
    setup: async ({ baseUrl }) => ({
      path: '/api/posts?limit=20',
      headers: { authorization: `Bearer ${await patFor(baseUrl, ['posts:read'])}` },
    }),
  },
  ...['tools/list', 'tools/call'].map((method) => ({
    name: `PAT POST /api/mcp ${method}${method === 'tools/call' ? ' posts_feed (loopback)' : ''}`,
    setup: async ({ baseUrl }) => ({
      method: 'POST',
      path: '/api/mcp',
      headers: {
        authorization: `Bearer ${await patFor(baseUrl, ['posts:read'])}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method,
        ...(method === 'tools/call'
          ? { params: { name: 'posts_feed', arguments: { limit: 20 } } }
          : {}),
      }),
    }),
  })),
];
