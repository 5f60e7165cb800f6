/**
 * `cunzheng receipt export --tlog-proof RECEIPT` and `cunzheng receipt export --ers RECEIPT [--anchor N] [--out FILE]`:
 * the receipt as a C2SP tlog-proof, or the RFC 4998 evidence record of its anchored checkpoint, built offline
 * from the receipt's own anchor token (src/ers/README.md). Nothing is fetched and nothing is trusted here: a
 * verifier checks the record with its own TSA roots.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { fromBase64, sha256, toHex } from '../../src/crypto/index.js';
import { CunzhengError } from '../../src/errors.js';
import { checkpointBody, checkpointEvidenceRecord } from '../../src/ers/index.js';
import { parseTreeSize } from '../../src/checkpoint/index.js';
import { exportTlogProof, MAX_RECEIPT_BYTES, parseReceipt, type Receipt } from '../../src/receipt/index.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';
import { readUserFile } from '../user-file.js';

export interface ReceiptExportFlags {
  tlogProof?: boolean;
  ers?: boolean;
  out?: string;
  anchor?: string;
}

export function runReceiptExport(path: string, flags: ReceiptExportFlags, out: (s: string) => void): number {
  if (flags.tlogProof === true && flags.ers === true) throw new UsageError('give one output format: --tlog-proof or --ers');
  if (flags.tlogProof !== true && flags.ers !== true) throw new UsageError('give an output format: --tlog-proof or --ers');
  if (flags.ers !== true && (flags.out !== undefined || flags.anchor !== undefined)) throw new UsageError('--out and --anchor go with --ers');
  const anchorIndex = flags.anchor === undefined ? 0 : /^(0|[1-9]\d?)$/.test(flags.anchor) ? Number(flags.anchor) : undefined;
  if (anchorIndex === undefined) throw new UsageError(`--anchor ${flags.anchor}: expected an anchor index 0, 1, …`);
  // Binary DER on a terminal is noise and can upset it: a file or a pipe only.
  if (flags.ers === true && flags.out === undefined && process.stdout.isTTY === true) {
    throw new UsageError('the evidence record is binary DER: give --out FILE, or redirect stdout');
  }
  // A FIFO would block the read forever and /dev/zero never end: regular files up to the receipt cap only.
  const bytes = readUserFile(path, 'receipt', MAX_RECEIPT_BYTES);
  let receipt: Receipt;
  try {
    receipt = parseReceipt(bytes);
    if (flags.tlogProof === true) {
      out(exportTlogProof(receipt));
      return EXIT_OK;
    }
  } catch (e) {
    return failed(path, e);
  }
  const anchors = receipt.anchors ?? [];
  if (anchors.length === 0) {
    throw new UsageError(`${path}: ERS_NO_ANCHOR: the receipt has no RFC 3161 anchor, so there is no evidence record to export (cunzheng receipt upgrade --tsa-roots adds the log's newest anchor)`);
  }
  const anchor = anchors[anchorIndex];
  if (anchor === undefined) throw new UsageError(`${path}: --anchor ${anchorIndex}: the receipt has ${anchors.length} anchor(s), 0 … ${anchors.length - 1}`);
  let record: Uint8Array;
  try {
    record = checkpointEvidenceRecord(anchor.checkpoint, [fromBase64(anchor.token, undefined, 'anchor token')]);
  } catch (e) {
    return failed(path, e);
  }
  if (flags.out === undefined) {
    process.stdout.write(record);
    return EXIT_OK;
  }
  const tmp = `${flags.out}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, record, { flag: 'wx' });
    renameSync(tmp, flags.out);
  } catch (e) {
    throw new UsageError(`cannot write --out ${flags.out}: ${(e as Error).message}`);
  }
  const body = checkpointBody(anchor.checkpoint);
  const size = parseTreeSize(new TextDecoder().decode(body).split('\n')[1] ?? '');
  out(`✔ ${flags.out}: evidence record (RFC 4998, ${record.length} bytes) of the checkpoint of tree size ${size}; its data object is that checkpoint's body, SHA-256 ${toHex(sha256(body))}`);
  return EXIT_OK;
}

function failed(path: string, e: unknown): number {
  if (!(e instanceof CunzhengError)) throw e;
  process.stderr.write(`cunzheng: ${path}: ${e.code}: ${e.message}\n`);
  return EXIT_FAILED;
}
