/** `cunzheng receipt export --tlog-proof RECEIPT`. */
import { CunzhengError } from '../../src/errors.js';
import { exportTlogProof, MAX_RECEIPT_BYTES, parseReceipt } from '../../src/receipt/index.js';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.js';
import { readUserFile } from '../user-file.js';

export function runReceiptExport(path: string, out: (s: string) => void): number {
  // A FIFO would block the read forever and /dev/zero never end: regular files up to the receipt cap only.
  const bytes = readUserFile(path, 'receipt', MAX_RECEIPT_BYTES);
  try {
    out(exportTlogProof(parseReceipt(bytes)));
    return EXIT_OK;
  } catch (e) {
    if (!(e instanceof CunzhengError)) throw e;
    process.stderr.write(`cunzheng: ${path}: ${e.code}: ${e.message}\n`);
    return EXIT_FAILED;
  }
}
