/**
 * What the verifier checks, as `cunzheng verify` checks it (cli/commands/verify.ts), with the same pure core:
 * trusted keys parsed (parseVerifierKey), TSA roots (parsePemCertificates), a tlog-policy (parsePolicy), then
 * verifyReceipt for each receipt with the digests of its document when one was given. No DOM here: main.ts
 * collects the inputs and renders the outcomes.
 *
 * A document is matched to a receipt as the CLI finds it: by name first (`X.receipt.json` → `X`, in the same
 * folder when a folder was given), then by the SHA-256 the entry names; and one receipt given with one
 * document is compared with it whatever their names (the CLI's `--file DOC`), so an altered file is reported
 * as RECEIPT_DOCUMENT_MISMATCH rather than left out.
 */
import { CunzhengError } from '../../src/errors.js';
import { parsePemCertificates } from '../../src/anchor/pure.js';
import { fromBase64 } from '../../src/crypto/bytes.js';
import { parseEntry } from '../../src/entry/index.js';
import { parseVerifierKey, type NoteVerifier } from '../../src/note/index.js';
import { parsePolicy, type Policy } from '../../src/policy/index.js';
import { parseReceipt, verifyReceipt, type VerifiedReceipt } from '../../src/receipt/index.js';
import { extractCertificateReceipt, isPdf } from './certificate.js';

export const RECEIPT_SUFFIX = '.receipt.json';

export interface ReceiptInput {
  /** The file name (or relative path in a folder), or a name for the link's receipt. */
  name: string;
  bytes: Uint8Array;
}

export interface DocumentInput {
  /** The file's path relative to the folder chosen, or its name. */
  path: string;
  /** Empty when the file could not be read (`error`). */
  sha256: string;
  sm3: string;
  /** Why the file could not be read: the CLI's FILE_* code (web/shared/hash-client.ts fileFailure). */
  error?: { code: string; message: string };
}

export interface TrustInput {
  keys: string[];
  policyText?: string;
  tsaPem?: string;
}

export type Outcome =
  | { receipt: string; ok: true; result: VerifiedReceipt; document: string | null; certificate: boolean }
  | { receipt: string; ok: false; code: string; message: string; document: string | null };

export interface SetupError {
  code: string;
  message: string;
  /** Which input: 'key' (with its number), 'policy' or 'tsa'. */
  where: string;
}

export interface Trust {
  keys: NoteVerifier[];
  policy?: Policy;
  tsaRoots: Uint8Array[];
}

function codeOf(e: unknown): { code: string; message: string } {
  if (e instanceof CunzhengError) return { code: e.code, message: e.message };
  return { code: 'VERIFIER_INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

/** The trusted inputs parsed, or the first that is not valid (the CLI's usage error, exit 2). */
export function parseTrust(input: TrustInput): Trust | SetupError {
  const keys: NoteVerifier[] = [];
  for (const [i, k] of input.keys.entries()) {
    try {
      keys.push(parseVerifierKey(k));
    } catch (e) {
      return { ...codeOf(e), where: `key ${i + 1}` };
    }
  }
  let policy: Policy | undefined;
  if (input.policyText !== undefined && input.policyText.trim() !== '') {
    try {
      policy = parsePolicy(input.policyText);
    } catch (e) {
      return { ...codeOf(e), where: 'policy' };
    }
  }
  let tsaRoots: Uint8Array[] = [];
  if (input.tsaPem !== undefined && input.tsaPem.trim() !== '') {
    try {
      tsaRoots = parsePemCertificates(input.tsaPem);
    } catch (e) {
      return { ...codeOf(e), where: 'tsa' };
    }
  }
  return policy === undefined ? { keys, tsaRoots } : { keys, policy, tsaRoots };
}

export function isSetupError(t: Trust | SetupError): t is SetupError {
  return (t as SetupError).code !== undefined;
}

/** The receipt's bytes: a certificate's attachment, or the file as it is. */
export function receiptBytes(input: ReceiptInput): { bytes: Uint8Array; certificate: boolean } {
  if (isPdf(input.bytes)) return { bytes: extractCertificateReceipt(input.bytes), certificate: true };
  return { bytes: input.bytes, certificate: false };
}

/** The entry's SHA-256, read without verifying anything (only to find a document; verification follows). */
function claimedSha256(bytes: Uint8Array): string | undefined {
  try {
    return parseEntry(fromBase64(parseReceipt(bytes).entry)).digest.sha256;
  } catch {
    return undefined;
  }
}

function documentFor(name: string, bytes: Uint8Array, docs: readonly DocumentInput[], single: boolean): DocumentInput | undefined {
  if (name.endsWith(RECEIPT_SUFFIX)) {
    let bare = name.slice(0, -RECEIPT_SUFFIX.length);
    const byPath = docs.find((d) => d.path === bare) ?? (bare.endsWith('.prev') ? docs.find((d) => d.path === bare.slice(0, -5)) : undefined);
    if (byPath !== undefined) return byPath;
    bare = bare.slice(bare.lastIndexOf('/') + 1);
    const byName = docs.filter((d) => d.path.slice(d.path.lastIndexOf('/') + 1) === bare);
    if (byName.length === 1) return byName[0];
  }
  const sha = claimedSha256(bytes);
  const byDigest = sha === undefined ? undefined : docs.find((d) => d.error === undefined && d.sha256 === sha);
  if (byDigest !== undefined) return byDigest;
  return single ? docs[0] : undefined;
}

/** Verifies each receipt; never throws for a receipt (each failure is its outcome with the core's code). */
export async function verifyAll(receipts: readonly ReceiptInput[], docs: readonly DocumentInput[], trust: Trust, requireDocuments = false): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const r of receipts) {
    let document: string | null = null;
    try {
      let read: ReturnType<typeof receiptBytes> | undefined;
      let unreadable: unknown;
      try {
        read = receiptBytes(r);
      } catch (e) {
        unreadable = e;
      }
      const doc = documentFor(r.name, read?.bytes ?? r.bytes, docs, receipts.length === 1 && docs.length === 1);
      document = doc?.path ?? null;
      // As the CLI: a document that could not be read fails its receipt with the file's code, first.
      if (doc?.error !== undefined) throw new CunzhengError(doc.error.code, doc.error.message);
      if (read === undefined) throw unreadable;
      const { bytes, certificate } = read;
      const evidence = doc === undefined ? {} : { documentDigest: { sha256: doc.sha256, sm3: doc.sm3 } };
      const options = trust.policy === undefined ? { tsaRoots: trust.tsaRoots } : { tsaRoots: trust.tsaRoots, policy: trust.policy };
      const result = await verifyReceipt(bytes, trust.keys, evidence, options);
      if (doc === undefined && requireDocuments) {
        out.push({ receipt: r.name, ok: false, code: 'DOCUMENT_NOT_COMPARED', message: 'the receipt verifies but no document was given to compare it with; "require documents" makes that a failure', document });
        continue;
      }
      out.push({ receipt: r.name, ok: true, result, document, certificate });
    } catch (e) {
      out.push({ receipt: r.name, ok: false, ...codeOf(e), document });
    }
  }
  return out;
}
