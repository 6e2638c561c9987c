// Benchmark scenarios. Each one names a request to hammer; `setup` (optional) prepares what it
// needs through the public API of the running app and returns the request options. `target` is
// the minimum throughput ratio to the baseline that an issue asks for (reported, not enforced).

/** @typedef {{ baseUrl: string }} BenchContext */
/** @typedef {{ method?: string, path: string, headers?: Record<string,string>, body?: string }} BenchRequest */
/** @typedef {{ name: string, target?: number, setup?: (ctx: BenchContext) => Promise<BenchRequest>, request?: BenchRequest }} Scenario */

/** The baseline every ratio is against: no I/O, no auth. */
export const baseline = {
  name: 'GET /api/health/live (baseline)',
  request: { path: '/api/health/live' },
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
    name: 'GET /api/programmatic/catalog',
    target: 0.9,
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
    target: 0.85,
    setup: async ({ baseUrl }) => ({
      path: '/api/me',
      headers: { authorization: `Bearer ${await patFor(baseUrl, ['posts:read'])}` },
    }),
  },
];
