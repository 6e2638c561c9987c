// Both benchmarks pin the server to core 0 and the load generator (this process) to core 1, so
// the two do not fight over one core and figures vary less between runs. PostgreSQL stays
// unpinned. BENCH_PIN=0 turns it off; without taskset (or with one core) nothing is pinned.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const TASKSET = '/usr/bin/taskset';
export const pinned =
  process.env.BENCH_PIN !== '0' && existsSync(TASKSET) && availableParallelism() >= 2;

if (pinned)
  execFileSync(TASKSET, ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });

/** The command and arguments that start `node <args>` on core 0 when pinning is on. */
export function serverCommand(nodeArgs) {
  return pinned
    ? [TASKSET, ['-c', '0', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
}
