import { defineConfig } from 'vitest/config';

// Medium tests open a PGlite (about 2 s and 800 MB each); two workers match the two cores.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules', 'web/**', 'test/e2e/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
