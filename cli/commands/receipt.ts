/** `cunzheng receipt export --tlog-proof RECEIPT`. */
import { readFileSync } from 'node:fs';
import { CunzhengError } from '../../src/errors.js';
import { exportTlogProof, parseReceipt } from '../../src/receipt/index.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';

export function runReceiptExport(path: string, out: (s: string) => void): number {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read receipt ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    out(exportTlogProof(parseReceipt(bytes)));
    return EXIT_OK;
  } catch (e) {
    if (!(e instanceof CunzhengError)) throw e;
    process.stderr.write(`cunzheng: ${path}: ${e.code}: ${e.message}\n`);
    return EXIT_FAILED;
  }
}
