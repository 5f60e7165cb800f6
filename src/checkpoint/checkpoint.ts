/**
 * C2SP tlog-checkpoint: the note text a log signs for each tree head.
 *
 *   <origin>\n            e.g. example.com/cunzheng — the log's identity, and the name of its key
 *   <tree size>\n         ASCII decimal, no leading zeros ("0" for the empty tree)
 *   <base64 root hash>\n  RFC 6962 root, 32 bytes, canonical standard base64
 *   [<extension line>\n]… optional, non-empty, opaque
 *
 * Threat model: checkpoints arrive from logs, mirrors and receipts; until a trusted key has verified the
 * note, every line is attacker-controlled. The parser is strict (one accepted spelling per tree head) and
 * total: sizes beyond 2^53−1, non-canonical base64, control characters and missing lines are coded errors.
 */
import { fromBase64, toBase64 } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';

export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  extensions: string[];
}

/** Largest checkpoint body accepted, in UTF-16 code units (a real one is about 100). */
export const MAX_CHECKPOINT_SIZE = 64 * 1024;

const SIZE = /^(?:0|[1-9][0-9]*)$/;
// ASCII controls other than \n, and unpaired surrogates (not encodable as UTF-8).
const FORBIDDEN = /[\x00-\x09\x0b-\x1f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function malformed(message: string, details?: Record<string, unknown>): CunzhengError {
  return new CunzhengError('CHECKPOINT_MALFORMED', `checkpoint: ${message}`, { details });
}

/** Parses a tree size line: decimal, no sign, no leading zeros, at most 2^53−1. */
export function parseTreeSize(line: string): number {
  if (!SIZE.test(line)) {
    throw new CunzhengError('CHECKPOINT_BAD_SIZE', 'checkpoint: tree size must be decimal digits without leading zeros', {
      details: { got: line.slice(0, 40) },
    });
  }
  const size = Number(line);
  if (!Number.isSafeInteger(size)) {
    throw new CunzhengError('CHECKPOINT_SIZE_TOO_LARGE', 'checkpoint: tree size is beyond 2^53-1', {
      details: { got: line.slice(0, 40), max: Number.MAX_SAFE_INTEGER },
    });
  }
  return size;
}

/** Parses a checkpoint body (the note text, final newline included). */
export function parseCheckpoint(body: string): Checkpoint {
  if (typeof body !== 'string') throw malformed(`expected a string, got ${body === null ? 'null' : typeof body}`);
  if (body.length > MAX_CHECKPOINT_SIZE) throw malformed(`longer than ${MAX_CHECKPOINT_SIZE} characters`, { got: body.length });
  const bad = FORBIDDEN.exec(body);
  if (bad !== null) throw malformed('contains a control character or invalid UTF-16', { offset: bad.index });
  if (!body.endsWith('\n')) throw malformed('must end with a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed(`expected at least 3 lines (origin, size, root hash), got ${lines.length}`);
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === '') throw malformed('origin line is empty');
  const treeSize = parseTreeSize(size);
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(root, 32, 'root hash');
  } catch (cause) {
    throw new CunzhengError('CHECKPOINT_BAD_ROOT_HASH', 'checkpoint: root hash must be canonical base64 of 32 bytes', { cause });
  }
  const empty = extensions.indexOf('');
  if (empty >= 0) throw malformed(`extension line ${empty + 1} is empty`);
  return { origin, treeSize, rootHash, extensions };
}

/** The checkpoint body; refuses anything `parseCheckpoint` would not read back identically. */
export function formatCheckpoint(cp: Checkpoint): string {
  const { origin, treeSize, rootHash, extensions = [] } = cp;
  if (typeof origin !== 'string' || origin === '' || origin.includes('\n')) throw malformed('origin must be one non-empty line');
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) {
    throw new CunzhengError('CHECKPOINT_BAD_SIZE', `checkpoint: tree size must be a safe non-negative integer, got ${String(treeSize)}`);
  }
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== 32) {
    throw new CunzhengError('CHECKPOINT_BAD_ROOT_HASH', 'checkpoint: root hash must be 32 bytes');
  }
  for (const ext of extensions) {
    if (typeof ext !== 'string' || ext === '' || ext.includes('\n')) throw malformed('extension lines must be non-empty single lines');
  }
  const body = [origin, String(treeSize), toBase64(rootHash), ...extensions].map((l) => `${l}\n`).join('');
  parseCheckpoint(body); // control characters, size limit
  return body;
}
