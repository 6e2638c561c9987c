// The mixed PAT workload shared by `npm run soak` and `npm run bench:scale`: 70 % feed reads,
// 20 % single-post reads, 10 % post writes, each from a pool of concurrent keep-alive clients,
// spread round-robin over one or more instances (the client is the tiny load balancer).

async function json(res) {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
}

/** A user with a read/write PAT and a few posts to read, made through the API like any client. */
export async function prepareWriter(baseUrl) {
  const email = `load-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const signup = await fetch(`${baseUrl}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'load password 123', displayName: 'Load' }),
  });
  const { csrfToken } = await json(signup);
  const cookie = signup.headers.get('set-cookie').split(';')[0];
  const { token } = await json(
    await fetch(`${baseUrl}/api/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ name: 'load', scopes: ['posts:read', 'posts:write'] }),
    }),
  );
  const postIds = [];
  for (let i = 0; i < 10; i++) {
    const post = await json(
      await fetch(`${baseUrl}/api/posts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(postBody(i)),
      }),
    );
    postIds.push(post.id);
  }
  return { token, postIds };
}

function postBody(n) {
  return {
    title: `Load post ${n}`,
    body: `Written under load, #${n}.`,
    hashtags: ['load'],
    status: 'PUBLISHED',
  };
}

const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : 0;

/**
 * Runs the mix for `seconds` with `connections` concurrent clients against `urls` (round-robin
 * per request). Returns counts by status, transport errors, throughput and latency percentiles.
 */
export async function runMixed({ urls, connections, seconds, writers, onTick }) {
  const byStatus = {};
  const errors = {};
  const latencies = [];
  let next = 0;
  let n = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  const worker = async (w) => {
    const { token, postIds } = writers[w % writers.length];
    const auth = { authorization: `Bearer ${token}` };
    while (Date.now() < deadline) {
      const base = urls[next++ % urls.length];
      const roll = Math.random();
      const t0 = performance.now();
      try {
        let res;
        if (roll < 0.7) res = await fetch(`${base}/api/posts?limit=20`, { headers: auth });
        else if (roll < 0.9)
          res = await fetch(`${base}/api/posts/${postIds[n++ % postIds.length]}`, {
            headers: auth,
          });
        else
          res = await fetch(`${base}/api/posts`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify(postBody(n++)),
          });
        await res.arrayBuffer();
        byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
      } catch (error) {
        const code = error.cause?.code ?? error.code ?? error.message;
        errors[code] = (errors[code] ?? 0) + 1;
      }
      latencies.push(performance.now() - t0);
    }
  };
  const ticker = onTick ? setInterval(() => onTick({ byStatus, errors }), 10_000) : undefined;
  await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
  if (ticker) clearInterval(ticker);
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const total = latencies.length;
  const serverErrors = Object.entries(byStatus)
    .filter(([s]) => Number(s) >= 500)
    .reduce((sum, [, c]) => sum + c, 0);
  return {
    total,
    rps: total / elapsed,
    byStatus,
    errors,
    serverErrors,
    transportErrors: Object.values(errors).reduce((a, b) => a + b, 0),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}
