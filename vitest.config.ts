import { defineConfig } from 'vitest/config';

// `npm test`: only what is in the repository. The corpus suite (test/corpus, third-party data read
// in place from ../shared) has its own config: vitest.corpus.config.ts, `npm run test:corpus`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/corpus/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    setupFiles: ['test/helpers/setup.ts'],
    // Installs what the suite needs from the machine (Debian's chromium) or names the command.
    globalSetup: ['test/helpers/provision.ts'],
  },
});
