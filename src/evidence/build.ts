/**
 * The evidence package's builder: receipts, log material and options in (bytes and objects, nothing of the
 * command line), a zip stream out. The caller has gathered and verified the receipts, fetched the newest
 * checkpoint and the consistency proofs; this writes the layout (layout.ts) in a fixed order, making each
 * exhibit's certificate as it goes, hashes every file (SHA-256 and SM3), computes the two roots, has them
 * deposited through `deposit` (the caller's: the CLI posts them to the service, the service would deposit
 * them itself) and closes the zip with the manifest, the sums files and that receipt. Memory holds a window
 * of certificates and the list of digests, never the package.
 */
import type { Readable } from 'node:stream';
import { CunzhengError } from '../errors.js';
import { fromBase64, sha256, sm3, toBase64, toHex, utf8 } from '../crypto/index.js';
import { parseEntry } from '../entry/index.js';
import { parseReceipt } from '../receipt/index.js';
import { makeCertificate, makeExhibitList, type CertificateLang, type ExhibitListInput } from '../certificate/index.js';
import { parseCheckpoint } from '../checkpoint/index.js';
import { consistencyJson, type ConsistencyProofs } from './consistency.js';
import {
  CHECKPOINT, CONSISTENCY, EXHIBIT_LIST, MANIFEST, MAX_EXHIBITS, PACKAGE_RECEIPT, POLICY, README, SHA256SUMS, SM3SUMS, TSA_ROOTS,
  VERIFIER_HTML, VERIFIER_KEYS, exhibitLabel, exhibitPaths,
} from './layout.js';
import { MANIFEST_FORMAT, byPath, manifestJson, sumsText, type ManifestFile } from './manifest.js';
import { readmeText, type ReadmeExhibit } from './readme.js';
import { packageRoots } from './tree.js';
import { PackageZipWriter } from './zip-write.js';

/** One certificate per item, in input order (src/workers/certificates.ts's makeCertificatesParallel fits). */
export type CertificateMaker = (items: Iterable<{ receipt: Uint8Array; options: { lang: CertificateLang; verifierUrl?: string } }>) => AsyncIterable<
  { index: number; ok: true; pdf: Uint8Array; id: string; digests?: { sha256: string; sm3: string } } | { index: number; ok: false; code: string; message: string }
>;

export interface EvidenceInput {
  /** 案由: the matter the package is for (printed in the README, the manifest and the deposit's title). */
  title: string | null;
  lang: CertificateLang;
  /** The exhibits' receipts, in exhibit order, each as its exact bytes (verified by the caller). */
  receipts: readonly Uint8Array[];
  /** The newest signed checkpoint note: every receipt's tree is a prefix of its tree. */
  checkpoint: string;
  /** Proofs from every receipt's tree size to the checkpoint's. */
  consistency: ConsistencyProofs;
  /** The log's verifier keys (C2SP vkeys), written as a hint. */
  verifierKeys: readonly string[];
  /** The keys came from the log itself (GET /v1/log), not from the person making the package. */
  keysFromLog: boolean;
  policy?: Uint8Array;
  tsaRoots?: Uint8Array;
  verifierHtml?: Uint8Array;
  /** The certificates' verifier URL (default: the certificate's own, https://<origin's host>/verify). */
  verifierUrl?: string;
  /** Deposits the package's two roots and answers that deposit's receipt (its exact bytes). */
  deposit(item: { sha256: string; sm3: string; meta: { title: string } }): Promise<Uint8Array>;
  /** How certificates are made (default: makeCertificate, one after the other on this thread). */
  certificates?: CertificateMaker;
  /** How the exhibit list is made (default: makeExhibitList on this thread; a service may move it off its event loop). */
  exhibitList?: (input: ExhibitListInput) => Promise<Uint8Array>;
}

export interface EvidenceResult {
  exhibits: number;
  files: number;
  roots: { sha256: string; sm3: string };
  /** The package deposit's id (its receipt is package.receipt.json). */
  packageId: string;
  /** The package's date: the newest exhibit's entry time (ISO 8601 UTC). */
  time: string;
}

/** makeCertificate, one after the other. */
export const sequentialCertificates: CertificateMaker = async function* (items) {
  let index = 0;
  for (const item of items) {
    try {
      const { pdf, id } = await makeCertificate(item.receipt, item.options);
      yield { index, ok: true, pdf, id };
    } catch (e) {
      if (!(e instanceof CunzhengError)) throw e;
      yield { index, ok: false, code: e.code, message: e.message };
    }
    index++;
  }
};

/** The deposit's title: 证据包 and the matter, within the entry's string bound. */
export function packageTitle(title: string | null): string {
  return (title === null || title === '' ? '证据包' : `证据包 ${title}`).slice(0, 200);
}

interface ExhibitInfo extends ReadmeExhibit {
  origin: string;
  anchors: number;
  timeMs: number;
}

function exhibitInfo(receipt: Uint8Array, label: string): ExhibitInfo {
  const r = parseReceipt(receipt);
  const entry = parseEntry(fromBase64(r.entry));
  return { label, id: r.id, kind: entry.kind, time: entry.time, sha256: entry.digest.sha256, origin: r.log.origin, anchors: r.anchors.length, timeMs: Date.parse(entry.time) };
}

/**
 * Starts writing a package. `stream` is the zip as it is made (pipe it somewhere: nothing is written ahead of
 * the reader by more than a window); `result` settles when the last byte has been handed to the stream, or
 * rejects (EVIDENCE_EXHIBIT_INVALID for an exhibit without a certificate, the deposit's own error), in which
 * case the stream is destroyed with the same error and what it wrote so far is no package.
 */
export function buildEvidencePackage(input: EvidenceInput): { stream: Readable; result: Promise<EvidenceResult> } {
  const n = input.receipts.length;
  if (n === 0) throw new CunzhengError('EVIDENCE_EMPTY', 'an evidence package needs at least one receipt');
  if (n > MAX_EXHIBITS) throw new CunzhengError('EVIDENCE_TOO_LARGE', `${n} exhibits: at most ${MAX_EXHIBITS} in one package`);
  const infos = input.receipts.map((r, i) => exhibitInfo(r, exhibitLabel(i, n)));
  const newest = infos.reduce((m, e) => Math.max(m, e.timeMs), -Infinity);
  const zip = new PackageZipWriter(newest);
  const result = write(input, infos, zip, new Date(newest).toISOString());
  result.catch((e: unknown) => zip.stream.destroy(e instanceof Error ? e : new Error(String(e))));
  return { stream: zip.stream, result };
}

async function write(input: EvidenceInput, infos: ExhibitInfo[], zip: PackageZipWriter, time: string): Promise<EvidenceResult> {
  const files: ManifestFile[] = [];
  // `digests`: a certificate worker's hashes of the PDF it made (the bulk of a package), else hashed here.
  const add = async (path: string, bytes: Uint8Array, digests?: { sha256: string; sm3: string }): Promise<void> => {
    files.push({ path, size: bytes.byteLength, sha256: digests?.sha256 ?? toHex(sha256(bytes)), sm3: digests?.sm3 ?? toHex(sm3(bytes)) });
    await zip.add(path, bytes);
  };
  const readme = readmeText({
    title: input.title, origin: infos[0]!.origin, exhibits: infos, keysFromLog: input.keysFromLog,
    hasPolicy: input.policy !== undefined, hasTsaRoots: input.tsaRoots !== undefined, hasVerifier: input.verifierHtml !== undefined,
    hasExhibitList: true, anchored: infos.filter((e) => e.anchors > 0).map((e) => [e.label, e.anchors] as const),
  });
  await add(README, utf8(readme));
  await add(VERIFIER_KEYS, utf8(input.verifierKeys.map((k) => `${k}\n`).join('')));
  if (input.policy !== undefined) await add(POLICY, input.policy);
  await add(CHECKPOINT, utf8(input.checkpoint));
  await add(CONSISTENCY, utf8(consistencyJson(input.consistency)));
  if (input.tsaRoots !== undefined) await add(TSA_ROOTS, input.tsaRoots);
  if (input.verifierHtml !== undefined) await add(VERIFIER_HTML, input.verifierHtml);

  const options = { lang: input.lang, ...(input.verifierUrl === undefined ? {} : { verifierUrl: input.verifierUrl }) };
  const items = input.receipts.map((receipt) => ({ receipt, options }));
  let next = 0;
  for await (const c of (input.certificates ?? sequentialCertificates)(items)) {
    const info = infos[c.index]!;
    if (c.index !== next++) throw new CunzhengError('EVIDENCE_EXHIBIT_INVALID', `certificates came out of order (${info.label})`);
    if (!c.ok) throw new CunzhengError('EVIDENCE_EXHIBIT_INVALID', `${info.label} (${info.id}): no certificate: ${c.code}: ${c.message}`, { details: { label: info.label, id: info.id, code: c.code } });
    const paths = exhibitPaths(info.label);
    await add(paths.receipt, input.receipts[c.index]!);
    await add(paths.certificate, c.pdf, c.digests);
  }
  if (next !== infos.length) throw new CunzhengError('EVIDENCE_EXHIBIT_INVALID', `${infos.length - next} exhibit(s) got no certificate`);
  // The 证据目录: every exhibit with its digests and time, against the package's checkpoint (src/certificate).
  const cp = parseCheckpoint(input.checkpoint.slice(0, input.checkpoint.indexOf('\n\n') + 1));
  await add(EXHIBIT_LIST, await (input.exhibitList ?? makeExhibitList)({
    lang: input.lang, ...(input.title === null ? {} : { title: input.title }), origin: infos[0]!.origin,
    checkpoint: { size: cp.treeSize, rootHash: toBase64(cp.rootHash) },
    exhibits: infos.map((e, i) => ({ no: e.label, receipt: input.receipts[i]!, receiptFile: exhibitPaths(e.label).receipt, certificateFile: exhibitPaths(e.label).certificate })),
  }));

  files.sort(byPath);
  const roots = packageRoots(files);
  const manifest = manifestJson({ format: MANIFEST_FORMAT, title: input.title, time, exhibits: infos.length, files, roots });
  const receipt = await input.deposit({ sha256: roots.sha256, sm3: roots.sm3, meta: { title: packageTitle(input.title) } });
  const packageId = parseReceipt(receipt).id;
  await zip.add(MANIFEST, utf8(manifest));
  await zip.add(SHA256SUMS, utf8(sumsText(files, 'sha256')));
  await zip.add(SM3SUMS, utf8(sumsText(files, 'sm3')));
  await zip.add(PACKAGE_RECEIPT, receipt);
  zip.end();
  return { exhibits: infos.length, files: files.length + 4, roots, packageId, time };
}
