import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'cards/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    setupFiles: ['test/support/miniflare-sync-setup.ts', 'test/support/strict-twin.ts'],
    globalSetup: ['test/support/global-build.ts'],
  },
});
