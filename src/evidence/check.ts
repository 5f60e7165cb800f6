/**
 * Checking an evidence package, offline, from its entries (zip-read.ts yields them; any source of names and
 * bytes does): the layout, every manifest line against the bytes, the sums files against the manifest, the two
 * roots recomputed, the package's own receipt (its digests are the roots), every exhibit's receipt, every
 * certificate made again and compared byte for byte and tied to its receipt, the newest checkpoint and a
 * consistency proof from every exhibit's checkpoint to it. Trust comes only from the caller (keys, policy,
 * TSA roots): `log/verifier-keys.txt` is read by nobody here. The result is one line per part, each with a
 * stable code when it fails; nothing in a hostile package makes this throw but a bug.
 */
import { CunzhengError } from '../errors.js';
import { fromBase64, fromUtf8, sha256, sm3, toBase64, toHex } from '../crypto/index.js';
import type { NoteVerifier } from '../note/index.js';
import type { Policy } from '../policy/index.js';
import { openCheckpoint } from '../checkpoint/index.js';
import { MAX_RECEIPT_BYTES, verifyReceipt, type VerifiedReceipt } from '../receipt/index.js';
import { checkCertificate, checkExhibitList, extractCertificate, MAX_CERTIFICATE_BYTES, MAX_EXHIBIT_LIST_BYTES } from '../certificate/index.js';
import { checkConsistent, parseConsistency } from './consistency.js';
import {
  CHECKPOINT, CONSISTENCY, EXHIBIT_LIST, MANIFEST, OUTSIDE_MANIFEST, PACKAGE_RECEIPT, REQUIRED_FILES, SHA256SUMS, SM3SUMS,
  classifyPath, exhibitLabel, exhibitPaths, labelWidth,
} from './layout.js';
import { MAX_MANIFEST_BYTES, parseManifest, sumsText, type Manifest } from './manifest.js';
import { packageRoots } from './tree.js';
import type { ZipEntry } from './zip-read.js';

export interface PackageTrust {
  keys: readonly NoteVerifier[];
  policy?: Policy;
  tsaRoots?: readonly Uint8Array[];
}

export interface PartResult {
  part: string;
  ok: boolean;
  code?: string;
  message: string;
}

export interface ExhibitResult {
  label: string;
  ok: boolean;
  id?: string;
  kind?: string;
  time?: string;
  treeSize?: number;
  anchors?: number;
  code?: string;
  message?: string;
}

export interface PackageReport {
  ok: boolean;
  title: string | null;
  roots?: { sha256: string; sm3: string };
  packageReceipt?: { id: string; time: string; treeSize: number; anchors: number };
  checkpoint?: { origin: string; treeSize: number; rootHash: string };
  exhibits: ExhibitResult[];
  parts: PartResult[];
}

/** The most any file of a kind may hold when read. */
function maxBytes(kind: string, path: string): number {
  if (kind === 'receipt' || path === PACKAGE_RECEIPT) return MAX_RECEIPT_BYTES;
  if (kind === 'certificate') return MAX_CERTIFICATE_BYTES;
  if (path === MANIFEST || path === SHA256SUMS || path === SM3SUMS || path === CONSISTENCY || path === 'README.txt') return MAX_MANIFEST_BYTES;
  if (path === EXHIBIT_LIST) return MAX_EXHIBIT_LIST_BYTES;
  if (path === 'verifier.html') return 16 * 1024 * 1024;
  return 4 * 1024 * 1024;
}

const fail = (e: unknown): { code: string; message: string } =>
  e instanceof CunzhengError ? { code: e.code, message: e.message } : { code: 'EVIDENCE_MALFORMED', message: e instanceof Error ? e.message : String(e) };

interface ReceiptSeen { verified?: VerifiedReceipt; failure?: { code: string; message: string }; sha256: string }

export async function checkPackage(entries: AsyncIterable<ZipEntry>, trust: PackageTrust): Promise<PackageReport> {
  const parts: PartResult[] = [];
  const part = (name: string, f: (() => string) | { code: string; message: string }): boolean => {
    if (typeof f !== 'function') {
      parts.push({ part: name, ok: false, ...f });
      return false;
    }
    try {
      parts.push({ part: name, ok: true, message: f() });
      return true;
    } catch (e) {
      parts.push({ part: name, ok: false, ...fail(e) });
      return false;
    }
  };
  const digests = new Map<string, { size: number; sha256: string; sm3: string }>();
  const kept = new Map<string, Uint8Array>();
  const receipts = new Map<string, ReceiptSeen>();
  const certificates = new Map<string, { receiptSha256?: string; failure?: { code: string; message: string } }>();
  const unlisted: string[] = [];
  const options = { tsaRoots: trust.tsaRoots ?? [], ...(trust.policy === undefined ? {} : { policy: trust.policy }) };

  try {
    for await (const entry of entries) {
      const cls = classifyPath(entry.name);
      if (cls === undefined) {
        unlisted.push(entry.name);
        continue;
      }
      const bytes = await entry.read(maxBytes(cls.kind, entry.name));
      digests.set(entry.name, { size: bytes.byteLength, sha256: toHex(sha256(bytes)), sm3: toHex(sm3(bytes)) });
      if (cls.kind === 'receipt') {
        const seen: ReceiptSeen = { sha256: digests.get(entry.name)!.sha256 };
        try {
          seen.verified = await verifyReceipt(bytes, trust.keys, {}, options);
        } catch (e) {
          seen.failure = fail(e);
        }
        receipts.set(cls.label, seen);
        kept.set(entry.name, bytes);
      } else if (cls.kind === 'certificate') {
        try {
          const extracted = extractCertificate(bytes);
          await checkCertificate(bytes, extracted);
          certificates.set(cls.label, { receiptSha256: toHex(sha256(extracted.receipt)) });
        } catch (e) {
          certificates.set(cls.label, { failure: fail(e) });
        }
      } else if (entry.name !== 'verifier.html') {
        kept.set(entry.name, bytes);
      }
    }
  } catch (e) {
    part('zip', fail(e));
    return { ok: false, title: null, exhibits: [], parts };
  }
  part('zip', () => `${digests.size + unlisted.length} entries, every name safe and unique, no entry past its bounds`);
  for (const name of unlisted) part(name, { code: 'EVIDENCE_UNLISTED_FILE', message: `${name} is not a file of the package's layout: nothing may ride along unverified` });
  for (const name of REQUIRED_FILES) if (!digests.has(name)) part(name, { code: 'EVIDENCE_MISSING_FILE', message: `the package has no ${name}` });

  // The manifest, every file against it, the sums files, the roots.
  let manifest: Manifest | undefined;
  const manifestBytes = kept.get(MANIFEST);
  if (manifestBytes !== undefined) {
    part(MANIFEST, () => {
      manifest = parseManifest(manifestBytes);
      return `${manifest.files.length} files listed with size, SHA-256 and SM3`;
    });
  }
  if (manifest !== undefined) {
    const m = manifest;
    const listed = new Set(m.files.map((f) => f.path));
    part('files', () => {
      for (const f of m.files) {
        const d = digests.get(f.path);
        if (d === undefined) throw new CunzhengError('EVIDENCE_MISSING_FILE', `${f.path} is listed in the manifest and absent from the package`);
        if (d.size !== f.size || d.sha256 !== f.sha256 || d.sm3 !== f.sm3) throw new CunzhengError('EVIDENCE_FILE_MISMATCH', `${f.path}: its bytes are not those the manifest lists (${d.size} bytes, SHA-256 ${d.sha256})`);
      }
      for (const path of digests.keys()) {
        if (!listed.has(path) && !(OUTSIDE_MANIFEST as readonly string[]).includes(path)) throw new CunzhengError('EVIDENCE_UNLISTED_FILE', `${path} is in the package and not in its manifest`);
      }
      return `every file's size, SHA-256 and SM3 match the manifest`;
    });
    for (const [name, alg] of [[SHA256SUMS, 'sha256'], [SM3SUMS, 'sm3']] as const) {
      const bytes = kept.get(name);
      if (bytes === undefined) continue;
      part(name, () => {
        if (fromUtf8Safe(bytes) !== sumsText(m.files, alg)) throw new CunzhengError('EVIDENCE_MANIFEST_MISMATCH', `${name} is not the manifest's ${alg === 'sha256' ? 'SHA-256' : 'SM3'} lines`);
        return `the manifest's lines exactly`;
      });
    }
    part('roots', () => {
      const r = packageRoots(m.files);
      if (r.sha256 !== m.roots.sha256 || r.sm3 !== m.roots.sm3) throw new CunzhengError('EVIDENCE_ROOT_MISMATCH', `the manifest's roots are not those of its files (SHA-256 root ${r.sha256})`);
      return `SHA-256 root ${r.sha256}, SM3 root ${r.sm3} (RFC 6962 over SHA256SUMS and SM3SUMS)`;
    });
  }

  // The package's own deposit: a receipt under the trusted keys whose digests are the roots.
  let packageReceipt: PackageReport['packageReceipt'];
  const pr = kept.get(PACKAGE_RECEIPT);
  if (pr !== undefined) {
    let result: PartResult;
    try {
      const v = await verifyReceipt(pr, trust.keys, {}, options);
      if (manifest === undefined) throw new CunzhengError('EVIDENCE_ROOT_MISMATCH', 'no readable manifest to compare the deposit with');
      if (v.entry.digest.sha256 !== manifest.roots.sha256 || v.entry.digest.sm3 !== manifest.roots.sm3) {
        throw new CunzhengError('EVIDENCE_ROOT_MISMATCH', `the package's deposit ${v.id} is of SHA-256 ${v.entry.digest.sha256}, not the package's root ${manifest.roots.sha256}`);
      }
      packageReceipt = { id: v.id, time: v.entry.time, treeSize: v.treeSize, anchors: v.anchors.length };
      result = { part: PACKAGE_RECEIPT, ok: true, message: `deposit ${v.id} of both roots at ${v.entry.time}, in the log at tree size ${v.treeSize}` };
    } catch (e) {
      result = { part: PACKAGE_RECEIPT, ok: false, ...fail(e) };
    }
    parts.push(result);
  }

  // Exhibits: numbered 1…n with one width, each a verified receipt and its certificate.
  const labels = new Set([...receipts.keys(), ...certificates.keys()]);
  const n = labels.size;
  const exhibits: ExhibitResult[] = [];
  for (let i = 0; i < n; i++) {
    const label = exhibitLabel(i, n);
    const r = receipts.get(label);
    const c = certificates.get(label);
    const paths = exhibitPaths(label);
    const out: ExhibitResult = { label, ok: false };
    if (r?.verified !== undefined) Object.assign(out, { id: r.verified.id, kind: r.verified.entry.kind, time: r.verified.entry.time, treeSize: r.verified.treeSize, anchors: r.verified.anchors.length });
    const why = r === undefined ? { code: 'EVIDENCE_MISSING_FILE', message: `no ${paths.receipt}` }
      : c === undefined ? { code: 'EVIDENCE_MISSING_FILE', message: `no ${paths.certificate}` }
        : r.failure !== undefined ? { code: r.failure.code, message: `${paths.receipt}: ${r.failure.message}` }
          : c.failure !== undefined ? { code: c.failure.code, message: `${paths.certificate}: ${c.failure.message}` }
            : c.receiptSha256 !== r.sha256 ? fail(new CunzhengError('EVIDENCE_EXHIBIT_MISMATCH', `${paths.certificate} holds another receipt than ${paths.receipt}`))
              : undefined;
    exhibits.push(why === undefined ? { ...out, ok: true } : { ...out, ...why });
  }
  const stray = [...labels].filter((l) => classifyPath(exhibitPaths(l).receipt)?.kind !== 'receipt' || l.length !== labelWidth(n) + 1 || Number(l.slice(1)) > n);
  if (stray.length > 0 || (manifest !== undefined && manifest.exhibits !== n)) {
    part('exhibits', { code: 'EVIDENCE_MALFORMED', message: `the exhibits are not numbered E${'0'.repeat(labelWidth(n) - 1)}1 to ${exhibitLabel(n - 1, Math.max(n, 1))} as the manifest says (${manifest?.exhibits ?? '?'}): ${stray.slice(0, 5).join(', ')}` });
  } else if (n === 0) {
    part('exhibits', { code: 'EVIDENCE_MISSING_FILE', message: 'the package holds no exhibit' });
  } else {
    const bad = exhibits.filter((e) => !e.ok);
    if (bad.length === 0) part('exhibits', () => `${n} receipts verify under the trusted keys; ${n} certificates made again match byte for byte and hold their receipt`);
    else part('exhibits', { code: bad[0]!.code!, message: `${bad.length} of ${n} exhibits fail; first ${bad[0]!.label}: ${bad[0]!.message}` });
  }

  // The newest checkpoint and the consistency of every exhibit's tree with it.
  let checkpoint: PackageReport['checkpoint'];
  const cpBytes = kept.get(CHECKPOINT);
  const csBytes = kept.get(CONSISTENCY);
  if (cpBytes !== undefined && csBytes !== undefined) {
    const verifiers = [...trust.keys, ...(trust.policy?.logs.map((l) => l.verifier) ?? [])];
    let opened: ReturnType<typeof openCheckpoint> | undefined;
    part(CHECKPOINT, () => {
      try {
        opened = openCheckpoint(cpBytes, verifiers);
      } catch (e) {
        throw new CunzhengError('EVIDENCE_CHECKPOINT_INVALID', `not a checkpoint signed by a trusted log key (${fail(e).code}: ${fail(e).message})`);
      }
      checkpoint = { origin: opened.checkpoint.origin, treeSize: opened.checkpoint.treeSize, rootHash: toBase64(opened.checkpoint.rootHash) };
      return `signed by the trusted log key; ${opened.checkpoint.origin}, tree size ${opened.checkpoint.treeSize}`;
    });
    if (opened !== undefined) {
      const newest = opened.checkpoint;
      part(CONSISTENCY, () => {
        const proofs = parseConsistency(csBytes);
        let checked = 0;
        for (const [label, r] of receipts) {
          const v = r.verified;
          if (v === undefined) continue;
          if (v.origin !== newest.origin) throw new CunzhengError('EVIDENCE_INCONSISTENT', `${label} is from the log ${v.origin}, log/checkpoint.txt from ${newest.origin}`);
          checkConsistent(proofs, newest, v.treeSize, fromBase64(v.rootHash, 32));
          checked++;
        }
        return `every exhibit's tree (${checked}) is a prefix of tree size ${newest.treeSize}: one append-only log`;
      });
    }
  }
  // The exhibit list: made again from its parameters and the package's receipts, and listing exactly them.
  const list = kept.get(EXHIBIT_LIST);
  if (list !== undefined) {
    let listResult: PartResult;
    try {
      const params = await checkExhibitList(list, (file) => {
        const b = kept.get(file);
        if (b === undefined || classifyPath(file)?.kind !== 'receipt') throw new CunzhengError('EVIDENCE_EXHIBIT_LIST_MISMATCH', `the exhibit list names ${file}, which is no receipt of the package`);
        return b;
      });
      const want = exhibits.map((e) => ({ no: e.label, ...{ receiptFile: exhibitPaths(e.label).receipt, certificateFile: exhibitPaths(e.label).certificate } }));
      if (JSON.stringify(params.exhibits) !== JSON.stringify(want)) throw new CunzhengError('EVIDENCE_EXHIBIT_LIST_MISMATCH', `the exhibit list lists ${params.exhibits.length} exhibits, not the package's ${want.length} in their order`);
      if (checkpoint !== undefined && (params.checkpoint.size !== checkpoint.treeSize || params.checkpoint.rootHash !== checkpoint.rootHash || params.origin !== checkpoint.origin)) throw new CunzhengError('EVIDENCE_EXHIBIT_LIST_MISMATCH', `the exhibit list is of ${params.origin} at tree size ${params.checkpoint.size}, log/checkpoint.txt of ${checkpoint.origin} at ${checkpoint.treeSize}`);
      listResult = { part: EXHIBIT_LIST, ok: true, message: `made again from the package's ${want.length} receipts and compared byte for byte` };
    } catch (e) {
      listResult = { part: EXHIBIT_LIST, ok: false, ...fail(e) };
    }
    parts.push(listResult);
  }
  return { ok: parts.every((p) => p.ok) && exhibits.every((e) => e.ok), title: manifest?.title ?? null, ...(manifest === undefined ? {} : { roots: manifest.roots }), ...(packageReceipt === undefined ? {} : { packageReceipt }), ...(checkpoint === undefined ? {} : { checkpoint }), exhibits, parts };
}

function fromUtf8Safe(bytes: Uint8Array): string | undefined {
  try {
    return fromUtf8(bytes);
  } catch {
    return undefined;
  }
}
