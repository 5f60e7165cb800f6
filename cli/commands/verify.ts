/**
 * `cunzheng verify RECEIPT|FOLDER… [--file DOC] [--documents DIR] [--require-documents] [--key VKEY]… [--trust FILE]… [--policy FILE] [--json]`
 * For litigators: offline verification of one receipt or many (folders are searched for *.receipt.json).
 * Each receipt is compared with a document when one is known: `--file DOC` for every receipt, else the
 * file the receipt sits beside (`X.receipt.json` → `X`), or `--documents DIR` for receipts mirrored with
 * `deposit --out`. Exit 0 when every receipt verifies and every compared document matches, 1 otherwise.
 * A receipt checked without its document proves only that the log holds its entry: the summary counts
 * those apart, and `--require-documents` makes each of them a failure (DOCUMENT_NOT_COMPARED).
 * With `--policy FILE` (C2SP tlog-policy) the receipt's checkpoint, or an anchor's, must also be signed by a
 * listed log and cosigned by the policy's witness quorum (POLICY_QUORUM_NOT_MET otherwise); the output
 * names who cosigned and when. The policy's log keys are trusted beside --key/--trust.
 * Receipts are read through user-file.ts: a FIFO, a device or an oversized file is refused (exit 2).
 * A certificate (`*.pdf`, `cunzheng certificate`) is verified through the receipt attached to it, with the same
 * options, and is then made again from that receipt and compared byte for byte: a printed field, the QR code
 * or an attachment that differs is CERTIFICATE_MISMATCH (exit 1); a PDF that is no certificate of ours is
 * CERTIFICATE_MALFORMED (exit 1).
 * An evidence package (`*.zip`, `cunzheng evidence`) is checked whole and offline (src/evidence/README.md): the
 * zip's structure, every file against the manifest, the sums files, both roots, the package's own receipt,
 * every exhibit's receipt and certificate, the checkpoint and the consistency proofs; one line per part, exit 0
 * only when all verify. Its log/verifier-keys.txt is never trusted: keys come from --key, --trust, --policy.
 */
import { closeSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CunzhengError } from '../../src/errors.js';
import { MAX_RECEIPT_BYTES, verifyReceipt, type VerifiedReceipt } from '../../src/receipt/index.js';
import { checkCertificate, extractCertificate, MAX_CERTIFICATE_BYTES } from '../../src/certificate/index.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';
import { openUserFile, readUserFile } from '../user-file.js';
import { hashFiles, isHashError, RECEIPT_SUFFIX, type HashResult } from '../local/index.js';
import { loadTrustedKeys, loadTsaRoots } from '../trust.js';
import { formatCounts, formatFailure, formatSummaryTable, formatVerified, SCOPE_STATEMENT } from '../format-verify.js';
import { cosignersJson, loadPolicy } from '../policy-file.js';
import { printable } from '../http-client.js';
import { beijingTime } from '../../src/entry/index.js';
import type { PackageTrust } from '../../src/evidence/index.js';

export interface VerifyOptions {
  file?: string;
  tsaRoots?: string;
  documents?: string;
  requireDocuments?: boolean;
  key: string[];
  trust: string[];
  json: boolean;
  /** A C2SP tlog-policy file: the checkpoint must be signed by a listed log and meet its witness quorum. */
  policy?: string;
  /** Anchors without revocation evidence fail (TSA_REVOCATION_MISSING). */
  requireRevocation?: boolean;
}

export type VerifyOutcome =
  | { receipt: string; ok: true; result: VerifiedReceipt; document: string | null; certificate?: true }
  | { receipt: string; ok: false; code: string; message: string; document: string | null };

/** The receipts named: files as given, folders searched recursively. */
async function collectReceipts(paths: string[]): Promise<{ path: string; root: string | undefined }[]> {
  const out: { path: string; root: string | undefined }[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      throw new UsageError(`cannot read receipt ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!st.isDirectory()) {
      out.push({ path: p, root: undefined });
      continue;
    }
    // walkFiles skips receipts when listing documents; here we want exactly those, so list every file.
    const walk = (dir: string): void => {
      for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (d.name === '.git' || d.name === 'node_modules') continue;
        const full = join(dir, d.name);
        if (d.isDirectory()) walk(full);
        // Not only regular files: a symlink, FIFO or device named *.receipt.json is read (and refused) by
        // readUserFile rather than silently left out of the count.
        else if (d.name.endsWith(RECEIPT_SUFFIX)) out.push({ path: full, root: p });
      }
    };
    walk(p);
  }
  if (out.length === 0) throw new UsageError(`no receipt found in ${paths.join(', ')}`);
  return out;
}

/**
 * The document at `bare` (a receipt's path without its suffix), or, for the previous receipt that
 * `receipt upgrade` keeps (X.prev.receipt.json), at X when no file X.prev exists.
 */
function existing(bare: string): string | undefined {
  if (existsSync(bare)) return bare;
  if (bare.endsWith(PREV) && existsSync(bare.slice(0, -PREV.length))) return bare.slice(0, -PREV.length);
  return undefined;
}
const PREV = '.prev';

/** The document a receipt should be compared with, if any. */
function documentFor(receipt: { path: string; root: string | undefined }, opts: VerifyOptions): string | undefined {
  if (opts.file !== undefined) return opts.file;
  if (!receipt.path.endsWith(RECEIPT_SUFFIX)) return undefined;
  const bare = receipt.path.slice(0, -RECEIPT_SUFFIX.length);
  if (opts.documents !== undefined && receipt.root !== undefined) return existing(join(opts.documents, relative(receipt.root, bare)));
  // Whatever sits there is the document: one that is not a regular file fails its hash (FILE_NOT_REGULAR)
  // instead of the receipt being reported as checked without its document.
  return existing(bare);
}

export async function runVerify(paths: string[], opts: VerifyOptions, out: (s: string) => void): Promise<number> {
  if (paths.length === 0) throw new UsageError('no receipt given: cunzheng verify RECEIPT… --key VKEY');
  const keys = loadTrustedKeys(opts.key, opts.trust);
  const policy = loadPolicy(opts.policy);
  if (keys.length === 0 && (policy === undefined || policy.logs.length === 0)) {
    throw new UsageError(`no trusted log key: pass --key VKEY or --trust FILE${policy === undefined ? '' : ', or list the log in the --policy file'} (a receipt's own log.key is never trusted)`);
  }
  // --file must be a regular file (opened without blocking and fstat'ed: a FIFO would hang the hash).
  if (opts.file !== undefined) closeSync(openUserFile(opts.file, '--file').fd);
  const tsaRoots = loadTsaRoots(opts.tsaRoots);
  if (paths.some(isZip)) {
    if (!paths.every(isZip)) throw new UsageError('an evidence package (.zip) is verified on its own: give only .zip files, or only receipts and certificates');
    if (opts.file !== undefined || opts.documents !== undefined) throw new UsageError('--file and --documents do not apply to an evidence package (it holds digests, not documents)');
    let failed = 0;
    for (const p of paths) if (!(await verifyPackage(p, { keys, tsaRoots, ...(policy === undefined ? {} : { policy }) }, opts.json, out))) failed++;
    return failed === 0 ? EXIT_OK : EXIT_FAILED;
  }
  const receipts = (await collectReceipts(paths)).map((r) => ({ ...r, document: documentFor(r, opts) }));

  // Hash every document once, locally, on every core.
  const docs = [...new Set(receipts.map((r) => r.document).filter((d): d is string => d !== undefined).map((d) => resolve(d)))];
  const digests = new Map<string, HashResult>();
  let k = 0;
  for await (const r of hashFiles(docs)) digests.set(docs[k++]!, r);
  if (opts.file !== undefined) {
    const d = digests.get(resolve(opts.file));
    if (d !== undefined && isHashError(d)) throw new UsageError(`cannot read --file ${opts.file}: ${d.error.message}`);
  }

  const outcomes: VerifyOutcome[] = [];
  for (const r of receipts) {
    const isCertificate = r.path.toLowerCase().endsWith('.pdf');
    const raw = readUserFile(r.path, isCertificate ? 'certificate' : 'receipt', isCertificate ? MAX_CERTIFICATE_BYTES : MAX_RECEIPT_BYTES);
    const doc = r.document === undefined ? undefined : digests.get(resolve(r.document));
    const document = r.document ?? null;
    try {
      if (doc !== undefined && isHashError(doc)) throw doc.error;
      const extracted = isCertificate ? extractCertificate(raw) : undefined;
      const bytes = extracted?.receipt ?? raw;
      const evidence = doc !== undefined ? { documentDigest: { sha256: doc.sha256, sm3: doc.sm3 } } : {};
      const result = await verifyReceipt(bytes, keys, evidence, { tsaRoots, ...(policy === undefined ? {} : { policy }), requireRevocation: opts.requireRevocation === true });
      if (doc === undefined && opts.requireDocuments === true) {
        outcomes.push({ receipt: r.path, ok: false, code: 'DOCUMENT_NOT_COMPARED', message: `the receipt verifies but no document was found to compare it with (${lookedFor(r, opts)}); --require-documents makes that a failure`, document });
        continue;
      }
      if (extracted !== undefined) await checkCertificate(raw, extracted);
      outcomes.push({ receipt: r.path, ok: true, result, document, ...(extracted === undefined ? {} : { certificate: true as const }) });
    } catch (e) {
      if (!(e instanceof CunzhengError)) throw e;
      outcomes.push({ receipt: r.path, ok: false, code: e.code, message: e.message, document });
    }
  }

  const failed = outcomes.filter((o) => !o.ok).length;
  const compared = outcomes.filter((o) => o.ok && o.document !== null).length;
  const withoutDocument = outcomes.filter((o) => o.ok && o.document === null).length;
  if (opts.json) {
    out(JSON.stringify({ ok: failed === 0, verified: outcomes.length - failed, failed, documentsCompared: compared, withoutDocument, results: outcomes.map(toJson) }, null, 2));
  } else {
    for (const o of outcomes) {
      out(o.ok ? formatVerified(o.receipt, o.result, o.document ?? undefined) : formatFailure(o.receipt, o.code, o.message));
      if (o.ok && o.certificate === true) out(CERTIFICATE_MATCHES);
    }
    if (outcomes.length > 1) {
      out('');
      out(formatSummaryTable(outcomes));
      out(formatCounts(outcomes.length, failed, compared, withoutDocument));
    }
    out(SCOPE_STATEMENT);
  }
  return failed === 0 ? EXIT_OK : EXIT_FAILED;
}

const isZip = (p: string): boolean => p.toLowerCase().endsWith('.zip');

/** One evidence package: the per-part report in text or JSON; true when every part verifies. */
async function verifyPackage(path: string, trust: PackageTrust, json: boolean, out: (s: string) => void): Promise<boolean> {
  closeSync(openUserFile(path, 'evidence package').fd);
  const { checkPackage, zipEntries } = await import('../../src/evidence/index.js');
  const r = await checkPackage(zipEntries(path), trust);
  if (json) {
    out(JSON.stringify({ package: path, ...r }, null, 2));
    return r.ok;
  }
  const title = r.title === null ? '' : ` "${printable(r.title)}"`;
  const bad = [...r.parts, ...r.exhibits].filter((p) => !p.ok);
  out(r.ok ? `✔ ${path}: evidence package${title}, ${r.exhibits.length} exhibits: every part verifies` : `✘ ${path}: evidence package${title}: ${bad.length} part(s) fail (${[...new Set(bad.map((b) => b.code))].join(', ')})`);
  for (const p of r.parts) out(`  ${p.ok ? '✔' : '✘'} ${p.part}: ${p.ok ? '' : `${p.code}: `}${printable(p.message)}`);
  for (const e of r.exhibits) {
    const what = e.id === undefined ? '' : ` ${e.kind} ${e.id} at ${beijingTime(e.time!)}, tree size ${e.treeSize}${e.anchors! > 0 ? `, ${e.anchors} timestamp(s)` : ''}`;
    out(`  ${e.ok ? '✔' : '✘'} ${e.label}${what}${e.ok ? '' : `: ${e.code}: ${printable(e.message ?? '')}`}`);
  }
  if (r.packageReceipt !== undefined && r.ok) out(`  The package's files existed, as listed, no later than ${beijingTime(r.packageReceipt.time)} (its roots' deposit ${r.packageReceipt.id}).`);
  out(SCOPE_STATEMENT);
  return r.ok;
}

const CERTIFICATE_MATCHES = '  Certificate: every printed field, the QR code and both attachments are exactly those the attached receipt makes (the certificate was made again from it and compared byte for byte).';

/** Where a document was looked for, for the DOCUMENT_NOT_COMPARED message. */
function lookedFor(r: { path: string; root: string | undefined }, opts: VerifyOptions): string {
  const bare = r.path.slice(0, -RECEIPT_SUFFIX.length);
  if (opts.documents !== undefined && r.root !== undefined) return `looked for ${join(opts.documents, relative(r.root, bare))}`;
  if (!r.path.endsWith(RECEIPT_SUFFIX)) return 'give --file DOC';
  return `looked for ${bare}${opts.documents !== undefined ? '; --documents applies to receipts found in a folder given' : ''}`;
}

function toJson(o: VerifyOutcome): unknown {
  if (!o.ok) return o;
  const r = o.result;
  return {
    receipt: o.receipt,
    ok: true,
    ...(o.certificate === true ? { certificate: { printedFieldsMatch: true } } : {}),
    document: o.document,
    id: r.id,
    origin: r.origin,
    logKey: r.logKey,
    treeSize: r.treeSize,
    rootHash: r.rootHash,
    leafIndex: r.leafIndex,
    leafHash: r.leafHash,
    kind: r.entry.kind,
    depositor: r.entry.subject,
    tenant: r.entry.tenant,
    digest: r.entry.digest,
    size: r.entry.size ?? null,
    meta: r.entry.meta ?? null,
    prev: r.entry.prev ?? null,
    hashedBy: r.entry.hashedBy,
    receivedAt: r.entry.time,
    matched: r.matched,
    anchored: r.anchors.length > 0,
    anchors: r.anchors,
    cosignatures: r.cosignatures,
    ...(r.policy === undefined ? {} : { policy: { ...r.policy, cosigners: cosignersJson(r.policy.cosigners) } }),
  };
}
