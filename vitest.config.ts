import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** A test file that runs the built CLI, a server or a tool as child processes (the long files of the suite). */
const PROCESS_HELPERS = /from '(?:\.\.\/cli\/|\.\/)(?:run-cli|cli-async)\.js'|from '\.\.\/support\/server-process\.js'|from '\.\/witness-process\.js'|from 'node:child_process'/;
const startsProcesses = (path: string): boolean => {
  try {
    return PROCESS_HELPERS.test(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
};

/**
 * The files that start processes first, each group in vitest's own order (longest first when it has timings,
 * largest first when not — a fresh checkout, as in CI). Size alone put a 100 s CLI file at the end of the run
 * with the other workers idle.
 */
class ProcessesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const first = sorted.filter((f) => startsProcesses(f.moduleId));
    return [...first, ...sorted.filter((f) => !first.includes(f))];
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The full reliability run (CUNZHENG_RELIABILITY=full) runs 10,000 inputs per property: give it time.
    testTimeout: process.env.CUNZHENG_RELIABILITY === 'full' ? 900_000 : 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One module graph per worker process, not per file: each file re-importing fastify, the ledger, pkijs and
    // the rest cost more CPU than the tests of most files (measured on test/http, merkle and entry: 110 → 63
    // CPU-s). No test file mocks a module, stubs a global or leaves the environment changed (a test that must
    // change process state — the umask — restores it), and src/ keeps no module state but caches.
    isolate: false,
    // Most files wait on child processes, sockets and fsync rather than compute: three at a time keep the
    // two cores busy (one at a time, vitest's default here, left them half idle and took 5 minutes).
    maxWorkers: 3,
    sequence: { sequencer: ProcessesFirst },
  },
});
