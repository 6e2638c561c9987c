import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Nest 12 ships ES modules only. Vitest loads node_modules through Node itself (so CommonJS
// packages such as @nestjs/throttler can require() them, as in production), and SWC compiles our
// TypeScript with the decorator metadata Nest's dependency injection needs (esbuild emits none).
/**
 * The reliability suites (several processes, fault injection, fuzzing every route) need
 * PostgreSQL and Redis, take minutes, and prove things that do not change with the Node.js
 * version: `.ci/run` runs them once, through vitest.reliability.config.ts, not in `npm test`.
 */
export const RELIABILITY_SUITES = [
  'test/multi-instance/**/*.e2e-spec.ts',
  'test/faults/**/*.e2e-spec.ts',
  'test/fuzz/**/*.e2e-spec.ts',
];

export default defineConfig({
  plugins: [
    swc.vite({
      module: { type: 'es6' },
      jsc: {
        target: 'es2023',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
      },
    }),
  ],
  test: {
    globals: true,
    include: ['src/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    exclude: ['**/node_modules/**', ...RELIABILITY_SUITES],
    globalSetup: ['test/support/global-setup.ts'],
    // A worker imports the app once and runs file after file on it: importing Nest, TypeORM and
    // every module again for each file was about half of the suite's time. Each file still boots
    // its own app on its own database; per-file-setup.ts resets what a library keeps per process.
    isolate: false,
    setupFiles: ['test/support/per-file-setup.ts'],
    testTimeout: 60_000,
    // Browser and background-write checks poll; a busy CI machine needs more than the 1 s default.
    expect: { poll: { timeout: 15_000, interval: 50 } },
    hookTimeout: 120_000,
    // Each file boots its own app on its own database; two cores serve two files at a time.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
  },
});
