import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Another program may hold the real platforms' fixed redirect ports: tests must not need them.
    globalSetup: ['test/setup/hold-fixed-ports.ts'],
    reporters: ['default'],
  },
});
