import { execFileSync } from 'node:child_process';

/**
 * Global setup of the reliability suites: the multi-process tests run the built server, so build
 * it once, unless the caller already did (.ci/run builds before testing: GPX_SKIP_BUILD=1).
 */
export default function buildOnce(): void {
  if (process.env.GPX_SKIP_BUILD === '1') return;
  execFileSync('npx', ['nest', 'build'], { stdio: 'inherit' });
}
