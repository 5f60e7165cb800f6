/**
 * One temporary folder for the whole run, removed when it ends: helpers that keep a fixture for the life of
 * a worker process (the test PKIs of test/tsa, made once per worker since workers keep their modules from
 * file to file) put it here, so nothing is left behind even when a worker is not let run its exit hooks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const RUN_DIR_ENV = 'CUNZHENG_TEST_RUN_DIR';

export function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'cunzheng-test-run-'));
  process.env[RUN_DIR_ENV] = dir; // the workers inherit it
  return () => rmSync(dir, { recursive: true, force: true });
}
