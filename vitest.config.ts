import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** Seconds each file took in a full run (test/support/write-durations.mjs writes them from a JSON report). */
const DURATIONS: Record<string, number> = JSON.parse(readFileSync(new URL('./test/support/durations.json', import.meta.url), 'utf8'));
const ROOT = fileURLToPath(new URL('./', import.meta.url));
/** A file not measured yet (new since the last refresh) counts as the median file of its kind in that run. */
const NEW_PROCESS_FILE_SECONDS = 25;
const NEW_FILE_SECONDS = 2.5;

/**
 * Longest first, from the durations of a full run (with four workers a long file started last is the run's
 * tail): the same order in a fresh checkout, as in CI, as on a machine with vitest's own timings. A file
 * with no duration yet counts as a median one; a file that starts processes as a median one of those, which
 * wait on their children far longer than the others compute.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const seconds = new Map(sorted.map((f) => [f, DURATIONS[relative(ROOT, f.moduleId).split(sep).join('/')] ?? (startsProcesses(f.moduleId) ? NEW_PROCESS_FILE_SECONDS : NEW_FILE_SECONDS)]));
    // A stable sort: equal durations keep vitest's order.
    return [...sorted].sort((a, b) => seconds.get(b)! - seconds.get(a)!);
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
    // Most files wait on child processes, sockets and fsync rather than compute: several at a time keep the
    // two cores busy (one at a time, vitest's default here, left them half idle and took 5 minutes). Four:
    // the whole run needs ~450 CPU-s, and at three the cores were still idle more than half of the run.
    maxWorkers: 4,
    sequence: { sequencer: LongestFirst },
    // One temporary folder for the run (fixtures a worker keeps for its later files), removed at the end.
    globalSetup: ['test/support/global-setup.ts'],
  },
});
