/**
 * `cunzheng deposit PATH… [--url U] [--api-key K] [--out DIR] [--exclude GLOB]… [--key VKEY] [--json]`
 * For enterprises: hash files and folders locally (SHA-256 and SM3 in one pass, on every core), deposit only
 * the digests, in batches, and write one receipt per file (beside it, or mirrored under --out). Running it
 * again skips files whose receipt matches their digest and deposits changed files as new versions whose
 * `prev` names the last receipt: the R&D version chain. Documents never leave the machine.
 */
import { basename } from 'node:path';
import { CunzhengError } from '../../src/errors.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { parseEntry } from '../../src/entry/index.js';
import { formatReceipt, parseReceipt, verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { hashFiles, isHashError, planDeposit, readExistingReceipt, receiptConflicts, receiptPath, walkFiles, writeReceiptAtomic, type WalkedFile } from '../local/index.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';
import { HttpStatusError, requestJson } from '../http-client.js';
import { Progress, formatBytes } from '../progress.js';
import { loadTrustedKeys } from '../trust.js';

export interface DepositFlags {
  url: string;
  apiKey?: string;
  out?: string;
  exclude: string[];
  batch: string;
  key: string[];
  json: boolean;
}

interface Planned {
  file: WalkedFile;
  receiptPath: string;
  sha256: string;
  sm3: string;
  size: number;
  prev?: string;
  status: 'new' | 'changed';
}

type FileOutcome =
  | { path: string; status: 'deposited' | 'new-version' | 'already-deposited'; id: string; index: number; receipt: string; prev?: string }
  | { path: string; status: 'unchanged'; id: string; receipt: string }
  | { path: string; status: 'failed'; code: string; message: string };

export async function runDeposit(paths: string[], flags: DepositFlags, out: (s: string) => void): Promise<number> {
  if (paths.length === 0) throw new UsageError('nothing to deposit: cunzheng deposit FILE|FOLDER…');
  if (flags.apiKey === undefined || flags.apiKey === '') throw new UsageError('no API key: pass --api-key K or set CUNZHENG_API_KEY');
  const batchSize = Number(flags.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new UsageError('--batch must be 1 to 10000');
  const trusted = loadTrustedKeys(flags.key, []);
  const base = flags.url.endsWith('/') ? flags.url : `${flags.url}/`;
  const outcomes: FileOutcome[] = [];
  const progress = new Progress();

  // 1. List the files.
  const files: WalkedFile[] = [];
  let walkErrors = 0;
  try {
    for await (const item of walkFiles(paths, { exclude: flags.exclude, ...(flags.out ? { outDir: flags.out } : {}) })) {
      if (item.kind === 'file') files.push(item);
      else if (item.kind === 'problem') {
        walkErrors++;
        outcomes.push({ path: item.path, status: 'failed', code: item.error.code, message: item.error.message });
      }
    }
  } catch (e) {
    if (e instanceof CunzhengError) throw new UsageError(`${e.code}: ${e.message}`);
    throw e;
  }
  const conflicts = receiptConflicts(files, flags.out ? { outDir: flags.out } : {});
  if (conflicts.length > 0) throw new UsageError(`two files would share the receipt ${conflicts[0]!.receipt}: ${conflicts[0]!.files.join(', ')}`);

  // 2. Hash them locally, on every core.
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const planned: Planned[] = [];
  let i = 0;
  for await (const r of hashFiles(files, {
    onProgress: (p) => progress.update((s) => `hashing ${p.files}/${files.length} files, ${formatBytes(p.bytes)} of ${formatBytes(totalBytes)}, ${formatBytes(p.bytes / Math.max(s, 0.001))}/s`),
  })) {
    const file = files[i++]!;
    if (isHashError(r)) {
      outcomes.push({ path: file.path, status: 'failed', code: r.error.code, message: r.error.message });
      continue;
    }
    const rp = receiptPath(file, flags.out ? { outDir: flags.out } : {});
    let existing: Receipt | undefined;
    try {
      existing = await readExistingReceipt(rp);
    } catch (e) {
      outcomes.push({ path: file.path, status: 'failed', code: e instanceof CunzhengError ? e.code : 'RECEIPT_FILE_UNREADABLE', message: `its receipt ${rp} is unreadable: ${(e as Error).message}` });
      continue;
    }
    const plan = planDeposit(r, existing);
    if (plan.status === 'unchanged') {
      outcomes.push({ path: file.path, status: 'unchanged', id: plan.id, receipt: rp });
      continue;
    }
    planned.push({ file, receiptPath: rp, sha256: r.sha256, sm3: r.sm3, size: r.size, status: plan.status, ...(plan.status === 'changed' ? { prev: plan.prev } : {}) });
  }

  // 3. Deposit the digests in batches; write each receipt once its batch is durable.
  let done = 0;
  for (let b = 0; b < planned.length; b += batchSize) {
    const chunk = planned.slice(b, b + batchSize);
    progress.update(() => `depositing ${done}/${planned.length} digests`, true);
    const items = chunk.map((p) => ({
      sha256: p.sha256,
      sm3: p.sm3,
      size: p.size,
      meta: { filename: basename(p.file.path).slice(0, 1024), path: p.file.relative.slice(0, 1024) },
      ...(p.prev === undefined ? {} : { prev: p.prev }),
    }));
    let reply: { receipts: unknown[]; created: boolean[] };
    try {
      reply = (await requestJson<{ receipts: unknown[]; created: boolean[] }>(new URL('v1/deposits', base), {
        method: 'POST',
        headers: { authorization: `Bearer ${flags.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ items }),
      })).json;
    } catch (e) {
      if (!(e instanceof HttpStatusError)) throw e;
      if (e.status === 401) throw new UsageError('the service refused the API key (401)');
      for (const p of chunk) outcomes.push({ path: p.file.path, status: 'failed', code: e.code, message: e.message });
      continue;
    }
    // Receipts are written 32 at a time: each is a temporary file, fsync, rename and folder fsync.
    const write = async (k: number, p: Planned): Promise<FileOutcome> => {
      try {
        const receipt = parseReceipt(reply.receipts[k]);
        const entry = parseEntry(fromBase64(receipt.entry));
        if (entry.digest.sha256 !== p.sha256) throw new CunzhengError('DEPOSIT_WRONG_RECEIPT', 'the service answered with a receipt for another digest');
        if (trusted.length > 0) await verifyReceipt(receipt, trusted, { digest: { sha256: p.sha256, sm3: p.sm3 } });
        await writeReceiptAtomic(p.receiptPath, formatReceipt(receipt));
        const status = reply.created[k] === false ? 'already-deposited' : p.status === 'changed' ? 'new-version' : 'deposited';
        return { path: p.file.path, status, id: receipt.id, index: receipt.index, receipt: p.receiptPath, ...(p.prev === undefined ? {} : { prev: p.prev }) };
      } catch (e) {
        if (!(e instanceof CunzhengError)) throw e;
        return { path: p.file.path, status: 'failed', code: e.code, message: e.message };
      }
    };
    const written: FileOutcome[] = new Array(chunk.length);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(32, chunk.length) }, async () => {
      for (let k = next++; k < chunk.length; k = next++) written[k] = await write(k, chunk[k]!);
    }));
    outcomes.push(...written);
    done += chunk.length;
  }
  progress.done();

  const count = (s: FileOutcome['status']): number => outcomes.filter((o) => o.status === s).length;
  const failed = count('failed');
  const summary = {
    ok: failed === 0,
    files: files.length + walkErrors,
    bytes: totalBytes,
    deposited: count('deposited'),
    newVersions: count('new-version'),
    alreadyDeposited: count('already-deposited'),
    unchanged: count('unchanged'),
    failed,
  };
  if (flags.json) out(JSON.stringify({ ...summary, results: outcomes }, null, 2));
  else {
    for (const o of outcomes) {
      if (o.status === 'failed') out(`✘ ${o.path}: ${o.code}: ${o.message}`);
      else if (o.status === 'new-version') out(`✔ ${o.path}: new version ${o.id} (leaf ${o.index}) of ${o.prev}`);
      else if (o.status === 'deposited') out(`✔ ${o.path}: deposited ${o.id} (leaf ${o.index})`);
      else if (o.status === 'already-deposited') out(`✔ ${o.path}: already deposited as ${o.id}; receipt written`);
    }
    out(`${summary.files} files (${formatBytes(totalBytes)}) hashed locally: ${summary.deposited} deposited, ${summary.newVersions} new versions, ` +
      `${summary.alreadyDeposited} already deposited, ${summary.unchanged} unchanged${failed ? `, ${failed} failed` : ''}.`);
  }
  return failed === 0 ? EXIT_OK : EXIT_FAILED;
}
