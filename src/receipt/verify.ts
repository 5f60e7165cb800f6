/**
 * Offline receipt verification: what a litigator runs with a receipt, the original document (or its digest)
 * and a log key obtained out of band. Nothing here touches the network or trusts the receipt's own hints:
 * `log.key` names a key, it never becomes one.
 *
 *   entry bytes ──hashLeaf──► leaf hash ──inclusion proof──► root ◄── signed checkpoint ◄── trusted log key
 *        │                                                     │
 *        └── digest == SHA-256(document)?                      └──consistency──► anchor checkpoint ◄── RFC 3161 token
 */
import { CunzhengError } from '../errors.js';
import { bytesEqual, fromBase64, fromHex, sha256, sm3, toBase64, toHex } from '../crypto/index.js';
import { hashLeaf, verifyConsistency, verifyInclusion } from '../merkle/index.js';
import { checkpointImprint, checkpointImprintSm3, openCheckpoint } from '../checkpoint/index.js';
import { parseVerifierKey, type NoteVerifier } from '../note/index.js';
import { type RevocationReport, verifyTimestampToken } from '../anchor/pure.js';
import { parseEntry, type Entry } from '../entry/index.js';
import { depositIdFromLeafHash } from './deposit-id.js';
import { parseReceipt, type Receipt } from './receipt.js';
import type { Policy } from '../policy/index.js';
import { receiptMeetsPolicy, type ReceiptPolicyResult } from './verify-policy.js';

export type { ReceiptPolicyResult } from './verify-policy.js';

export type ReceiptVerifyErrorCode =
  | 'RECEIPT_ID_MISMATCH'
  | 'RECEIPT_ORIGIN_MISMATCH'
  | 'RECEIPT_NO_TRUSTED_KEY'
  | 'RECEIPT_INDEX_BEYOND_TREE'
  | 'RECEIPT_DOCUMENT_MISMATCH'
  | 'RECEIPT_SM3_MISMATCH'
  | 'RECEIPT_BAD_DIGEST_ARGUMENT'
  | 'RECEIPT_EVIDENCE_NOT_COMPARED'
  | 'ANCHOR_ORIGIN_MISMATCH'
  | 'ANCHOR_NOT_COVERING';

/**
 * What the caller holds to compare with the entry's digest. At most one of the three.
 *   document        the document's bytes: SHA-256 always compared, SM3 too when the entry carries one;
 *   documentDigest  the digests of the document the caller hashed itself (both algorithms, as `cunzheng
 *                   verify` does): compared like `document`; an SM3 the entry does not carry is not asked for;
 *   digest          digests the caller was given: EVERY digest given must be compared, so one the entry does
 *                   not carry (an SM3 against an entry with SHA-256 only) fails with RECEIPT_EVIDENCE_NOT_COMPARED.
 */
export interface DocumentEvidence {
  document?: Uint8Array;
  documentDigest?: { sha256: string | Uint8Array; sm3?: string | Uint8Array };
  /** Digests the caller computed (lowercase hex or raw bytes). */
  digest?: { sha256?: string | Uint8Array; sm3?: string | Uint8Array };
}

export interface AnchorSummary {
  type: 'rfc3161';
  /** The size of the anchored checkpoint (bound to the receipt's by a consistency proof). */
  treeSize: number;
  /** True when the token was verified against the TSA roots given; false when no roots were given. */
  tokenChecked: boolean;
  /** When checked: the TSA's time — the anchored checkpoint, and so the entry, existed no later than this. */
  genTime?: string;
  /** When checked: the TSA's certificate subject. */
  tsa?: string;
  /**
   * When checked: the TSA chain's revocation as of genTime, from the evidence the anchor carries (receipt v2);
   * `checked: false` when it carries none ("not checked").
   */
  revocation?: RevocationReport;
}

export interface VerifyOptions {
  /** Trusted TSA root certificates (DER). Without them anchors are reported but their tokens not checked. */
  tsaRoots?: readonly Uint8Array[];
  /**
   * A witness policy (parsePolicy): its log keys are trusted beside `trustedKeys`, and the receipt's
   * checkpoint or an anchor's must meet it (POLICY_QUORUM_NOT_MET, POLICY_LOG_SIGNATURE_MISSING otherwise).
   */
  policy?: Policy;
  /** Fail an anchor without revocation evidence for its TSA chain (TSA_REVOCATION_MISSING); with tsaRoots. */
  requireRevocation?: boolean;
}

export interface VerifiedReceipt {
  id: string;
  origin: string;
  /** Key ID (hex) and name of the trusted key that signed the checkpoint. */
  logKey: string;
  treeSize: number;
  rootHash: string;
  leafIndex: number;
  leafHash: string;
  entry: Entry;
  /** Which of the caller's evidence was compared with the entry's digest. */
  matched: { sha256: boolean; sm3: boolean; by: 'document' | 'digest' | 'none' };
  cosignatures: { name: string; keyId: number; time: number }[];
  anchors: AnchorSummary[];
  /** With a policy: the checkpoint that met it and who cosigned it. */
  policy?: ReceiptPolicyResult;
}

// Verifier key strings parsed before (a parse costs a SHA-256 and a key import; a verifier checking a
// folder of receipts passes the same few keys every time). Bounded; keys are public.
const parsedKeys = new Map<string, NoteVerifier>();

function toVerifiers(keys: readonly (NoteVerifier | string)[]): NoteVerifier[] {
  return keys.map((k) => {
    if (typeof k !== 'string') return k;
    let v = parsedKeys.get(k);
    if (v === undefined) {
      v = parseVerifierKey(k);
      if (parsedKeys.size >= 256) parsedKeys.clear();
      parsedKeys.set(k, v);
    }
    return v;
  });
}

function digestBytes(v: string | Uint8Array, what: string): Uint8Array {
  if (v instanceof Uint8Array && v.length === 32) return v;
  try {
    return fromHex(v, 32, what);
  } catch (cause) {
    throw new CunzhengError('RECEIPT_BAD_DIGEST_ARGUMENT', `${what}: expected 32 bytes (64 lowercase hex)`, { cause });
  }
}

function compareEvidence(entry: Entry, evidence: DocumentEvidence): VerifiedReceipt['matched'] {
  const given = [evidence.document, evidence.documentDigest, evidence.digest].filter((e) => e !== undefined).length;
  if (given > 1) throw new CunzhengError('RECEIPT_BAD_DIGEST_ARGUMENT', 'give one of document, documentDigest and digest');
  let sha: Uint8Array | undefined;
  let sm: Uint8Array | undefined;
  let by: VerifiedReceipt['matched']['by'] = 'none';
  if (evidence.document !== undefined) {
    sha = sha256(evidence.document);
    sm = entry.digest.sm3 !== undefined ? sm3(evidence.document) : undefined;
    by = 'document';
  } else if (evidence.documentDigest !== undefined) {
    sha = digestBytes(evidence.documentDigest.sha256, 'sha256 digest');
    const s = evidence.documentDigest.sm3;
    sm = s !== undefined && entry.digest.sm3 !== undefined ? digestBytes(s, 'sm3 digest') : undefined;
    by = 'document';
  } else if (evidence.digest !== undefined) {
    if (evidence.digest.sha256 !== undefined) sha = digestBytes(evidence.digest.sha256, 'sha256 digest');
    if (evidence.digest.sm3 !== undefined) sm = digestBytes(evidence.digest.sm3, 'sm3 digest');
    if (sha === undefined && sm === undefined) throw new CunzhengError('RECEIPT_BAD_DIGEST_ARGUMENT', 'no digest given');
    // Evidence that cannot be compared is never a success: an SM3 against an entry without one proves nothing.
    if (sm !== undefined && entry.digest.sm3 === undefined) {
      throw new CunzhengError('RECEIPT_EVIDENCE_NOT_COMPARED', 'an SM3 digest was given but the entry carries no SM3 digest: nothing to compare it with', {
        details: { given: sha === undefined ? ['sm3'] : ['sha256', 'sm3'], carried: ['sha256'] },
      });
    }
    by = 'digest';
  }
  const matched = { sha256: false, sm3: false, by };
  if (sha !== undefined) {
    if (!bytesEqual(sha, fromHex(entry.digest.sha256, 32))) {
      throw new CunzhengError('RECEIPT_DOCUMENT_MISMATCH', 'the document\'s SHA-256 differs from the digest in the receipt', {
        details: { got: toHex(sha), want: entry.digest.sha256 },
      });
    }
    matched.sha256 = true;
  }
  if (sm !== undefined && entry.digest.sm3 !== undefined) {
    if (!bytesEqual(sm, fromHex(entry.digest.sm3, 32))) {
      throw new CunzhengError('RECEIPT_SM3_MISMATCH', 'the document\'s SM3 differs from the digest in the receipt');
    }
    matched.sm3 = true;
  }
  return matched;
}

/**
 * Verifies a receipt against trusted log keys (verifier key strings or parsed verifiers) and, when given,
 * the document or its digest. Returns what the receipt proves, or throws a CunzhengError whose code says
 * which check failed (the codes of note/, checkpoint/, merkle/ and entry/ pass through unchanged).
 */
export async function verifyReceipt(
  input: Receipt | string | Uint8Array,
  trustedKeys: readonly (NoteVerifier | string)[],
  evidence: DocumentEvidence = {},
  options: VerifyOptions = {},
): Promise<VerifiedReceipt> {
  const receipt = parseReceipt(input);
  const given = toVerifiers(trustedKeys);
  const policy = options.policy;
  const verifiers = [...given, ...(policy?.logs.map((l) => l.verifier) ?? [])].filter((v) => v.name === receipt.log.origin);
  if (verifiers.length === 0) {
    throw new CunzhengError('RECEIPT_NO_TRUSTED_KEY', `no trusted key for the log ${JSON.stringify(receipt.log.origin)}`, {
      details: { origin: receipt.log.origin, hint: receipt.log.key },
    });
  }

  const entryBytes = fromBase64(receipt.entry, undefined, 'entry');
  const entry = parseEntry(entryBytes);
  const leafHash = hashLeaf(entryBytes);
  const id = depositIdFromLeafHash(leafHash);
  if (id !== receipt.id) {
    throw new CunzhengError('RECEIPT_ID_MISMATCH', 'the receipt id is not derived from its entry', { details: { got: receipt.id, want: id } });
  }

  // With a policy its witnesses' lines are verified too (a forged one rejects the note) and reported.
  const witnesses = policy?.witnesses.map((w) => w.verifier) ?? [];
  const opened = openCheckpoint(receipt.checkpoint, [...verifiers, ...witnesses], { origin: receipt.log.origin });
  const cp = opened.checkpoint;
  if (receipt.index >= cp.treeSize) {
    throw new CunzhengError('RECEIPT_INDEX_BEYOND_TREE', `leaf index ${receipt.index} is not in a tree of size ${cp.treeSize}`);
  }
  const proof = receipt.proof.map((h) => fromBase64(h, 32));
  verifyInclusion(receipt.index, cp.treeSize, leafHash, proof, cp.rootHash);

  const anchors: AnchorSummary[] = [];
  for (const [i, a] of receipt.anchors.entries()) {
    let anchored;
    try {
      anchored = openCheckpoint(a.checkpoint, verifiers, { origin: receipt.log.origin }).checkpoint;
    } catch (cause) {
      if (cause instanceof CunzhengError && cause.code === 'CHECKPOINT_ORIGIN_MISMATCH') {
        throw new CunzhengError('ANCHOR_ORIGIN_MISMATCH', `anchors[${i}]: checkpoint of another log`, { cause });
      }
      throw cause;
    }
    const consistency = a.consistency.map((h) => fromBase64(h, 32));
    // The anchored tree must contain the entry: either it extends the receipt's tree, or it is an older tree
    // that already held the leaf and that the receipt's tree extends.
    if (anchored.treeSize >= cp.treeSize) {
      verifyConsistency(cp.treeSize, anchored.treeSize, consistency, cp.rootHash, anchored.rootHash);
    } else {
      if (receipt.index >= anchored.treeSize) {
        throw new CunzhengError('ANCHOR_NOT_COVERING', `anchors[${i}]: its tree of size ${anchored.treeSize} does not contain leaf ${receipt.index}`);
      }
      verifyConsistency(anchored.treeSize, cp.treeSize, consistency, anchored.rootHash, cp.rootHash);
    }
    const summary: AnchorSummary = { type: 'rfc3161', treeSize: anchored.treeSize, tokenChecked: false };
    if (options.tsaRoots !== undefined && options.tsaRoots.length > 0) {
      // The token stamps the checkpoint BODY, so cosignatures added later do not change its imprint.
      // A token may stamp the body's SHA-256 or, from a TSA that stamps only SM3, its SM3.
      const imprint = checkpointImprint(a.checkpoint);
      const imprintSm3 = checkpointImprintSm3(a.checkpoint);
      const revocation = (a.revocation ?? []).map((e) => ({
        cert: e.cert,
        ...(e.ocsp === undefined ? {} : { ocsp: fromBase64(e.ocsp, undefined, 'revocation ocsp') }),
        ...(e.crl === undefined ? {} : { crl: fromBase64(e.crl, undefined, 'revocation crl') }),
      }));
      const t = await verifyTimestampToken(fromBase64(a.token, undefined, 'anchor token'), {
        imprint,
        imprintSm3,
        roots: options.tsaRoots,
        revocation,
        requireRevocation: options.requireRevocation === true,
      });
      summary.tokenChecked = true;
      summary.genTime = t.genTime.toISOString();
      summary.tsa = t.tsa;
      summary.revocation = t.revocation;
    }
    anchors.push(summary);
  }

  const matched = compareEvidence(entry, evidence);
  const witnessed = policy === undefined
    ? undefined
    : receiptMeetsPolicy([receipt.checkpoint, ...receipt.anchors.map((a) => a.checkpoint)], policy, receipt.log.origin, given.filter((v) => v.name === receipt.log.origin));
  const logLines = opened.note.verified.filter((s) => s.verifier.name === cp.origin && (s.verifier.type === 0x01 || s.verifier.type === 0xff));
  const signer = logLines.find((s) => s.verifier.type === 0x01) ?? logLines[0]!;
  return {
    id,
    origin: cp.origin,
    logKey: `${signer.verifier.name}+${signer.verifier.keyId.toString(16).padStart(8, '0')}`,
    treeSize: cp.treeSize,
    rootHash: toBase64(cp.rootHash),
    leafIndex: receipt.index,
    leafHash: toBase64(leafHash),
    entry,
    matched,
    cosignatures: opened.cosignatures,
    anchors,
    ...(witnessed === undefined ? {} : { policy: witnessed }),
  };
}
