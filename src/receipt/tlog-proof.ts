/**
 * Export to and import from C2SP tlog-proof@v1 (https://c2sp.org/tlog-proof), the textual offline proof
 * format of the transparency-log community:
 *
 *   c2sp.org/tlog-proof@v1
 *   extra <base64 of the entry bytes>     ← our record: the leaf hash is SHA-256(0x00 ‖ extra)
 *   index 42
 *   <base64 hash>                         ← inclusion proof, leaf-to-root, one per line
 *
 *   <checkpoint, verbatim, with its signature lines>
 *
 * The format has no place for RFC 3161 anchors: an export keeps inclusion and the signed checkpoint, and
 * drops anchors (the receipt remains the complete evidence). Imported text is hostile: strict line grammar.
 */
import { CunzhengError } from '../errors.js';
import { fromBase64, fromUtf8, toBase64 } from '../crypto/index.js';
import { hashLeaf } from '../merkle/index.js';
import { depositIdFromLeafHash } from './deposit-id.js';
import { MAX_PROOF_HASHES, MAX_RECEIPT_BYTES, RECEIPT_FORMAT, parseReceipt, type Receipt } from './receipt.js';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export type TlogProofErrorCode = 'TLOG_PROOF_MALFORMED' | 'TLOG_PROOF_NO_ENTRY' | 'TLOG_PROOF_TOO_LARGE';

export function exportTlogProof(receipt: Receipt): string {
  const r = parseReceipt(receipt);
  const lines = [TLOG_PROOF_HEADER, `extra ${r.entry}`, `index ${r.index}`, ...r.proof, ''];
  return lines.join('\n') + '\n' + r.checkpoint;
}

export interface ParsedTlogProof {
  extra: Uint8Array | undefined;
  index: number;
  proof: Uint8Array[];
  checkpoint: string;
}

function malformed(message: string): CunzhengError<TlogProofErrorCode> {
  return new CunzhengError('TLOG_PROOF_MALFORMED', `tlog-proof: ${message}`);
}

export function parseTlogProof(input: string | Uint8Array): ParsedTlogProof {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > MAX_RECEIPT_BYTES) throw new CunzhengError('TLOG_PROOF_TOO_LARGE', `tlog-proof larger than ${MAX_RECEIPT_BYTES} bytes`);
  let text: string;
  try {
    text = typeof input === 'string' ? input : fromUtf8(input, 'tlog-proof');
  } catch {
    throw malformed('not valid UTF-8');
  }
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw malformed('no empty line before the checkpoint');
  const head = text.slice(0, blank).split('\n');
  const checkpoint = text.slice(blank + 2);
  if (checkpoint.length === 0) throw malformed('no checkpoint after the empty line');
  let i = 0;
  if (head[i++] !== TLOG_PROOF_HEADER) throw malformed(`first line must be ${TLOG_PROOF_HEADER}`);
  let extra: Uint8Array | undefined;
  if (head[i]?.startsWith('extra ')) {
    try {
      extra = fromBase64(head[i]!.slice(6), undefined, 'extra');
    } catch {
      throw malformed('extra is not canonical base64');
    }
    i++;
  }
  const indexLine = head[i++];
  const m = indexLine === undefined ? null : /^index (0|[1-9][0-9]{0,15})$/.exec(indexLine);
  const index = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(index)) throw malformed('expected "index N" with N a decimal below 2^53, no leading zeros');
  const hashLines = head.slice(i);
  if (hashLines.length > MAX_PROOF_HASHES) throw malformed(`more than ${MAX_PROOF_HASHES} proof hashes`);
  const proof = hashLines.map((h, k) => {
    try {
      return fromBase64(h, 32, `proof[${k}]`);
    } catch {
      throw malformed(`proof line ${k + 1} is not the base64 of a 32-byte hash`);
    }
  });
  return { extra, index, proof, checkpoint };
}

/**
 * Turns a tlog-proof whose `extra` holds our entry bytes into a receipt. `logKey` is the verifier key to
 * record as the receipt's hint (a tlog-proof names no key); verification still needs a trusted key.
 */
export function importTlogProof(input: string | Uint8Array, logKey: string): Receipt {
  const p = parseTlogProof(input);
  if (p.extra === undefined || p.extra.length === 0) {
    throw new CunzhengError('TLOG_PROOF_NO_ENTRY', 'tlog-proof has no extra data: it does not carry a cunzheng entry');
  }
  const origin = p.checkpoint.slice(0, p.checkpoint.indexOf('\n'));
  return parseReceipt({
    format: RECEIPT_FORMAT,
    id: depositIdFromLeafHash(hashLeaf(p.extra)),
    entry: toBase64(p.extra),
    index: p.index,
    proof: p.proof.map(toBase64),
    checkpoint: p.checkpoint,
    anchors: [],
    log: { origin, key: logKey },
  });
}
