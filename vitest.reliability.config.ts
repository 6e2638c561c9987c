import { defineConfig } from 'vitest/config';
import base, { RELIABILITY_SUITES } from './vitest.config.js';

/**
 * `npm run test:reliability`: the multi-instance, fault-injection and fuzz suites, on PostgreSQL
 * (DATABASE_URL) and Redis (REDIS_URL). The multi-instance suite runs the built server
 * (`npm run build` first; .ci/run does).
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: RELIABILITY_SUITES,
    exclude: ['**/node_modules/**'],
    testTimeout: 180_000,
  },
});
