import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'cunzheng-ledger-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The code a promise rejects with (see test/support/codes.ts). */
export { codeOf as rejectionCode } from '../support/codes.js';

/** Resolves once the ledger has recovered from a failed write (its fence is lifted); fails after 10 s. */
export async function waitUnfenced(ledger: { fence: unknown }): Promise<void> {
  const t0 = Date.now();
  while (ledger.fence !== undefined) {
    if (Date.now() - t0 > 10_000) throw new Error(`the ledger is still fenced: ${JSON.stringify(ledger.fence)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
