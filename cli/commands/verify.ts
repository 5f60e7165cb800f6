/**
 * `cunzheng verify RECEIPT… [--file DOC] [--key VKEY]… [--trust FILE]… [--json]` — offline verification.
 * Exit 0 when every receipt verifies (and matches --file), 1 when any does not, 2 for usage errors.
 */
import { readFileSync, statSync } from 'node:fs';
import { CunzhengError } from '../../src/errors.js';
import { verifyReceipt, type VerifiedReceipt } from '../../src/receipt/index.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';
import { hashFile, type FileDigests } from '../hash-file.js';
import { loadTrustedKeys } from '../trust.js';
import { formatFailure, formatVerified, SCOPE_STATEMENT } from '../format-verify.js';

export interface VerifyOptions {
  file?: string;
  key: string[];
  trust: string[];
  json: boolean;
}

export type VerifyOutcome =
  | { receipt: string; ok: true; result: VerifiedReceipt }
  | { receipt: string; ok: false; code: string; message: string };

function readReceipt(path: string): Uint8Array {
  try {
    if (!statSync(path).isFile()) throw new UsageError(`${path}: not a file`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read receipt ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export async function runVerify(paths: string[], opts: VerifyOptions, out: (s: string) => void): Promise<number> {
  if (paths.length === 0) throw new UsageError('no receipt given: cunzheng verify RECEIPT… --key VKEY');
  const keys = loadTrustedKeys(opts.key, opts.trust);
  if (keys.length === 0) {
    throw new UsageError('no trusted log key: pass --key VKEY or --trust FILE (a receipt\'s own log.key is never trusted)');
  }
  const receipts = paths.map((p) => ({ path: p, bytes: readReceipt(p) }));
  let file: (FileDigests & { path: string }) | undefined;
  if (opts.file !== undefined) {
    try {
      file = { path: opts.file, ...(await hashFile(opts.file)) };
    } catch (e) {
      throw new UsageError(`cannot read --file ${opts.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  const outcomes: VerifyOutcome[] = [];
  for (const r of receipts) {
    try {
      const evidence = file ? { digest: { sha256: file.sha256, sm3: file.sm3 } } : {};
      outcomes.push({ receipt: r.path, ok: true, result: await verifyReceipt(r.bytes, keys, evidence) });
    } catch (e) {
      if (!(e instanceof CunzhengError)) throw e;
      outcomes.push({ receipt: r.path, ok: false, code: e.code, message: e.message });
    }
  }

  const failed = outcomes.filter((o) => !o.ok).length;
  if (opts.json) {
    out(JSON.stringify({ ok: failed === 0, verified: outcomes.length - failed, failed, file: file ?? null, results: outcomes.map(toJson) }, null, 2));
  } else {
    for (const o of outcomes) out(o.ok ? formatVerified(o.receipt, o.result, file?.path) : formatFailure(o.receipt, o.code, o.message));
    if (outcomes.length > 1) out(`${outcomes.length - failed} of ${outcomes.length} receipts verified${failed ? `, ${failed} failed` : ''}.`);
    out(SCOPE_STATEMENT);
  }
  return failed === 0 ? EXIT_OK : EXIT_FAILED;
}

function toJson(o: VerifyOutcome): unknown {
  if (!o.ok) return o;
  const r = o.result;
  return {
    receipt: o.receipt,
    ok: true,
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
  };
}
