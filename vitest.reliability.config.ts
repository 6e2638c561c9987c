import { defineConfig } from 'vitest/config';
import base, { RELIABILITY_SUITES } from './vitest.config.js';

/**
 * `npm run test:reliability`: the multi-instance, fault-injection and fuzz suites, on PostgreSQL
 * (DATABASE_URL) and Redis (REDIS_URL). The multi-process tests run the built server, which
 * the global setup builds first (GPX_SKIP_BUILD=1 skips that when it was just built).
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: RELIABILITY_SUITES,
    exclude: ['**/node_modules/**'],
    testTimeout: 180_000,
    globalSetup: [...(base.test?.globalSetup as string[]), 'test/support/build-once.ts'],
  },
});
