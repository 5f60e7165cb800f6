/**
 * `log/consistency.json`: an RFC 6962 consistency proof from the tree of every exhibit's checkpoint to the
 * package's newest checkpoint (`log/checkpoint.txt`), so that every receipt is shown to lie in one and the same
 * append-only log. Pure; the file read back is hostile input.
 *
 *   {"format": "cunzheng/evidence-consistency/v1", "treeSize": N,
 *    "proofs": [{"from": n, "proof": ["<base64 32-byte hash>", …]}, …]}      (from ascending, each once, n ≤ N)
 */
import { CunzhengError } from '../errors.js';
import { fromBase64, fromUtf8, toBase64 } from '../crypto/index.js';
import { findDuplicateKey } from '../entry/duplicate-keys.js';
import { verifyConsistency } from '../merkle/index.js';

export const CONSISTENCY_FORMAT = 'cunzheng/evidence-consistency/v1';
const MAX_BYTES = 64 * 1024 * 1024;
const MAX_PROOFS = 200_000;
const MAX_HASHES = 128;

export interface ConsistencyProofs {
  treeSize: number;
  /** Tree size → proof hashes, from that size to `treeSize`. */
  proofs: Map<number, Uint8Array[]>;
}

export function consistencyJson(c: ConsistencyProofs): string {
  const rows = [...c.proofs].sort((a, b) => a[0] - b[0]).map(([from, proof]) => `    ${JSON.stringify({ from, proof: proof.map(toBase64) })}`);
  return `{\n  "format": ${JSON.stringify(CONSISTENCY_FORMAT)},\n  "treeSize": ${c.treeSize},\n  "proofs": [\n${rows.join(',\n')}\n  ]\n}\n`;
}

function malformed(message: string): CunzhengError {
  return new CunzhengError('EVIDENCE_MALFORMED', `log/consistency.json: ${message}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const sameKeys = (v: Record<string, unknown>, keys: string[]): boolean => Object.keys(v).length === keys.length && keys.every((k) => k in v);

export function parseConsistency(bytes: Uint8Array): ConsistencyProofs {
  if (bytes.length > MAX_BYTES) throw new CunzhengError('EVIDENCE_TOO_LARGE', `log/consistency.json: more than ${MAX_BYTES} bytes`);
  let text: string;
  let v: unknown;
  try {
    text = fromUtf8(bytes, 'log/consistency.json');
    v = JSON.parse(text);
  } catch {
    throw malformed('not UTF-8 JSON');
  }
  if (findDuplicateKey(text) !== undefined) throw malformed('a member appears twice in one object');
  if (!isObject(v) || !sameKeys(v, ['format', 'treeSize', 'proofs']) || v.format !== CONSISTENCY_FORMAT) throw malformed(`expected {format: ${CONSISTENCY_FORMAT}, treeSize, proofs}`);
  if (!Number.isSafeInteger(v.treeSize) || (v.treeSize as number) < 1) throw malformed('treeSize: expected a tree size');
  if (!Array.isArray(v.proofs) || v.proofs.length > MAX_PROOFS) throw malformed(`proofs: expected at most ${MAX_PROOFS}`);
  const treeSize = v.treeSize as number;
  const proofs = new Map<number, Uint8Array[]>();
  let last = -1;
  for (const [i, p] of (v.proofs as unknown[]).entries()) {
    if (!isObject(p) || !sameKeys(p, ['from', 'proof'])) throw malformed(`proofs[${i}]: expected {from, proof}`);
    const from = p.from;
    if (!Number.isSafeInteger(from) || (from as number) < 0 || (from as number) > treeSize || (from as number) <= last) throw malformed(`proofs[${i}].from: expected ascending tree sizes up to ${treeSize}, each once`);
    if (!Array.isArray(p.proof) || p.proof.length > MAX_HASHES) throw malformed(`proofs[${i}].proof: expected at most ${MAX_HASHES} hashes`);
    try {
      proofs.set(from as number, (p.proof as unknown[]).map((h) => fromBase64(h, 32, 'hash')));
    } catch {
      throw malformed(`proofs[${i}].proof: expected base64 32-byte hashes`);
    }
    last = from as number;
  }
  return { treeSize, proofs };
}

/**
 * That the tree of `size` with root `root` (an exhibit's checkpoint) is a prefix of the newest checkpoint's:
 * EVIDENCE_INCONSISTENT when no proof from that size is in the file, when the exhibit's tree is larger, or
 * when the proof does not verify.
 */
export function checkConsistent(c: ConsistencyProofs, newest: { treeSize: number; rootHash: Uint8Array }, size: number, root: Uint8Array): void {
  if (c.treeSize !== newest.treeSize) throw new CunzhengError('EVIDENCE_INCONSISTENT', `log/consistency.json is for tree size ${c.treeSize}, log/checkpoint.txt is of ${newest.treeSize}`);
  if (size > newest.treeSize) throw new CunzhengError('EVIDENCE_INCONSISTENT', `the receipt's checkpoint (tree size ${size}) is newer than log/checkpoint.txt (${newest.treeSize})`);
  const proof = c.proofs.get(size);
  if (proof === undefined) throw new CunzhengError('EVIDENCE_INCONSISTENT', `log/consistency.json has no proof from tree size ${size}`);
  try {
    verifyConsistency(size, newest.treeSize, proof, root, newest.rootHash);
  } catch (e) {
    throw new CunzhengError('EVIDENCE_INCONSISTENT', `the tree of size ${size} is not a prefix of log/checkpoint.txt's (${(e as Error).message})`, { cause: e });
  }
}
