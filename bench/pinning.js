// Both benchmarks pin the server to core 0 and the load generator (this process) to core 1, so
// the two do not fight over one core and figures vary less between runs. PostgreSQL stays
// unpinned. BENCH_PIN=0 turns it off; without taskset (or with one core) nothing is pinned.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const TASKSET = '/usr/bin/taskset';
export const pinned =
  process.env.BENCH_PIN !== '0' && existsSync(TASKSET) && availableParallelism() >= 2;

if (pinned)
  execFileSync(TASKSET, ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });

/**
 * The Node flags `npm start` gives the server (package.json's start script, e.g. the young
 * generation's size), so every benchmark measures the runtime production runs, and the bare
 * Nest baseline gets the same. BENCH_NODE_FLAGS='--flag …' tries others instead (' ' for none).
 */
export const startFlags = (
  process.env.BENCH_NODE_FLAGS ?? JSON.parse(readFileSync('package.json', 'utf8')).scripts.start
)
  .split(/\s+/)
  .filter((arg) => arg.startsWith('--'));

/** The command and arguments that start `node <start flags> <args>` (on core 0 when pinned). */
export function serverCommand(nodeArgs) {
  const args = [...startFlags, ...nodeArgs];
  return pinned ? [TASKSET, ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
}
