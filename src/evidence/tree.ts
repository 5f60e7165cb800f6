/**
 * The package's two roots: RFC 6962 Merkle tree hashes over the lines of SHA256SUMS (with SHA-256) and of
 * SM3SUMS (with SM3), built in memory with merkletreejs, whose bottom-up tree (a lonely last node promoted
 * unhashed) has RFC 6962's shape:
 *
 *   leaf  = H(0x00 ‖ line)          line: one `<hex>  <path>\n` line of the sums file, its newline included
 *   node  = H(0x01 ‖ left ‖ right)
 *
 * so any RFC 6962 tool recomputes them from the sums file alone (docs/FORMATS.md "Evidence package").
 * Pure (merkletreejs holds its nodes in Buffers; no I/O).
 */
import { MerkleTree } from 'merkletreejs';
import { CunzhengError } from '../errors.js';
import { sha256, sm3, toHex, utf8 } from '../crypto/index.js';
import { sumsLines, type DigestAlg, type ManifestFile } from './manifest.js';

const HASH: Record<DigestAlg, (...parts: Uint8Array[]) => Uint8Array> = { sha256, sm3 };
const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

/** The RFC 6962 tree hash (hex) of these leaf data with the named hash; at least one leaf. */
export function linesRoot(lines: readonly string[], alg: DigestAlg): string {
  if (lines.length === 0) throw new CunzhengError('EVIDENCE_MALFORMED', 'a package has at least one file');
  const h = HASH[alg];
  const leaves = lines.map((l) => h(LEAF, utf8(l)));
  // merkletreejs hashes the concatenation left ‖ right of each pair (its default concatenator): the function
  // given is therefore H(0x01 ‖ ·), used for interior nodes only (the leaves are given already hashed).
  const tree = new MerkleTree(leaves, (pair: Uint8Array) => h(NODE, pair));
  return toHex(tree.getRoot());
}

/** The package's roots over its manifest's files. */
export function packageRoots(files: readonly ManifestFile[]): { sha256: string; sm3: string } {
  return { sha256: linesRoot(sumsLines(files, 'sha256'), 'sha256'), sm3: linesRoot(sumsLines(files, 'sm3'), 'sm3') };
}
