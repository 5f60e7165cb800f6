import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The full reliability run (CUNZHENG_RELIABILITY=full) runs 10,000 inputs per property: give it time.
    testTimeout: process.env.CUNZHENG_RELIABILITY === 'full' ? 900_000 : 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most files wait on child processes, sockets and fsync rather than compute: three at a time keep the
    // two cores busy (one at a time, vitest's default here, left them half idle and took 5 minutes).
    maxWorkers: 3,
  },
});
