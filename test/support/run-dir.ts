/** Where a fixture kept for a worker's life goes: the run's folder (global-setup.ts), else the system's. */
import { tmpdir } from 'node:os';

export function runDir(): string {
  return process.env.CUNZHENG_TEST_RUN_DIR ?? tmpdir();
}
