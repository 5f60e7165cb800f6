import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The full reliability run (CUNZHENG_RELIABILITY=full) runs 10,000 inputs per property: give it time.
    testTimeout: process.env.CUNZHENG_RELIABILITY === 'full' ? 900_000 : 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
