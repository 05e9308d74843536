import { defineConfig } from 'vitest/config';

// Medium tests open a PGlite (about 2 s and 800 MB each); two workers match the two cores.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
          exclude: ['node_modules', 'web/dist/**', 'test/e2e/**'],
        },
      },
      // Browser tests (Debian Chromium): one server and one browser, files one after another; the
      // console is built first when web/dist is missing or stale.
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          fileParallelism: false,
          // The browser waits on a server sharing two busy cores: polls get the same patience as page waits.
          expect: { poll: { timeout: 20_000, interval: 100 } },
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
