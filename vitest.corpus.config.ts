import { defineConfig } from 'vitest/config';

// The corpus suite: third-party data (../shared or CUSTODY_SHARED), run after `npm test` by .ci/run.
export default defineConfig({
  test: {
    include: ['test/corpus/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    setupFiles: ['test/helpers/setup.ts'],
  },
});
