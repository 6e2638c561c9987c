// Benchmark scenarios. Each one names a request to hammer; `setup` (optional) prepares what it
// needs through the public API of the running app and returns the request options. `target` is
// the minimum throughput ratio to the baseline that the issue asks for (reported, not enforced).

/** @typedef {{ baseUrl: string }} BenchContext */
/** @typedef {{ method?: string, path: string, headers?: Record<string,string>, body?: string }} BenchRequest */
/** @typedef {{ name: string, target?: number, setup?: (ctx: BenchContext) => Promise<BenchRequest>, request?: BenchRequest }} Scenario */

/** The baseline every ratio is against: no I/O, no auth. */
export const baseline = {
  name: 'GET /api/health/live (baseline)',
  request: { path: '/api/health/live' },
};

/** @type {Scenario[]} */
export const scenarios = [
  { name: 'GET /api/health/ready (db ping)', request: { path: '/api/health/ready' } },
];
