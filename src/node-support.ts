/**
 * Which Node.js versions this server runs on, checked first thing at start (src/main.ts) before
 * anything else is imported. Nest 12 ships ES modules only and some CommonJS dependencies
 * require() them, so the floor is where `require(esm)` works without a flag: 20.19 on the 20
 * line, 22.12 on the 22 line, and every release from 23 on. The same range is `engines` in
 * package.json; CI runs the suite on 20, 22 and 24.
 */
const MINIMUM_BY_LINE: Record<number, number> = { 20: 19, 22: 12 };
const FIRST_LINE_WITHOUT_A_MINOR_FLOOR = 23;

/** End of life of each release line (nodejs.org release schedule). */
const END_OF_LIFE: Record<number, string> = {
  20: '2026-04-30',
  21: '2024-06-01',
  22: '2027-04-30',
  23: '2025-06-01',
  24: '2028-04-30',
  25: '2026-06-01',
  26: '2029-04-30',
};

export type NodeSupport =
  | { verdict: 'supported' }
  | { verdict: 'end_of_life'; message: string }
  | { verdict: 'unsupported'; message: string };

export const SUPPORTED_RANGE = '^20.19.0 || ^22.12.0 || >=23.0.0';

export function checkNodeVersion(version: string, today: Date = new Date()): NodeSupport {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return { verdict: 'supported' }; // not a version we can read: let it try
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const floor = MINIMUM_BY_LINE[major];
  const tooOld = major < FIRST_LINE_WITHOUT_A_MINOR_FLOOR && (floor === undefined || minor < floor);
  if (tooOld) {
    return {
      verdict: 'unsupported',
      message: `GetPaidX API needs Node.js ${SUPPORTED_RANGE} (this is ${version}); run it on the current LTS.`,
    };
  }
  const endOfLife = END_OF_LIFE[major];
  if (endOfLife && today.toISOString().slice(0, 10) >= endOfLife) {
    return {
      verdict: 'end_of_life',
      message: `Node.js ${major} reached end of life on ${endOfLife} and gets no security fixes; run the server on the current LTS (Node.js 24).`,
    };
  }
  return { verdict: 'supported' };
}
