/**
 * `cunzheng deposit PATH… [--url U] [--api-key K] [--out DIR] [--exclude GLOB]… [--names] [--title T]
 *                  [--follow-symlinks] [--key VKEY] [--json]`
 * For enterprises: hash files and folders locally (SHA-256 and SM3 in one pass, on every core), deposit only
 * the digests and sizes, in batches, and write one receipt per file (beside it, or mirrored under --out).
 * Running it again skips files whose receipt matches their digest and deposits changed files as new versions
 * whose `prev` names the last receipt (the old receipt is kept as `….receipt.v<N>.json`): the R&D version
 * chain. Documents never leave the machine, and neither do their names unless --names is given: the ledger
 * is never pruned, and the name of a trade-secret file can itself be a secret.
 */
import { basename } from 'node:path';
import { CunzhengError } from '../../src/errors.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { parseEntry } from '../../src/entry/index.js';
import { formatReceipt, parseReceipt, verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import {
  hashFiles, isHashError, locateReceipt, planDeposit, receiptConflicts, receiptPath, saveReceipt, walkFiles,
  type WalkedFile, type WalkFollowed, type WalkSkipped,
} from '../local/index.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';
import { HttpStatusError, requestJson } from '../http-client.js';
import { Progress, formatBytes, formatRate } from '../progress.js';
import { printOutcomes, reportReceiptPlaces, reportWalk, summarize, type FileOutcome } from './deposit-report.js';
import { loadTrustedKeys } from '../trust.js';

export interface DepositFlags {
  url: string;
  apiKey?: string;
  out?: string;
  exclude: string[];
  batch: string;
  key: string[];
  json: boolean;
  /** Send each file's name and relative path as metadata (off by default). */
  names?: boolean;
  /** A title sent with every file of this run. */
  title?: string;
  followSymlinks?: boolean;
}

interface Planned {
  file: WalkedFile;
  receiptPath: string;
  /** True when a receipt of an earlier version is at receiptPath (it is kept in the history first). */
  replaces: boolean;
  sha256: string;
  sm3: string;
  size: number;
  prev?: string;
  status: 'new' | 'changed';
}

export async function runDeposit(paths: string[], flags: DepositFlags, out: (s: string) => void): Promise<number> {
  if (paths.length === 0) throw new UsageError('nothing to deposit: cunzheng deposit FILE|FOLDER…');
  if (flags.apiKey === undefined || flags.apiKey === '') throw new UsageError('no API key: pass --api-key K or set CUNZHENG_API_KEY');
  const batchSize = Number(flags.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new UsageError('--batch must be 1 to 10000');
  if (flags.title !== undefined && flags.title.trim() === '') throw new UsageError('--title must not be empty');
  const trusted = loadTrustedKeys(flags.key, []);
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  if (flags.names === true) {
    err("cunzheng: --names: each file's name and relative path are sent with its digest and stay in the never-pruned ledger");
  }
  const base = flags.url.endsWith('/') ? flags.url : `${flags.url}/`;
  const outcomes: FileOutcome[] = [];
  const progress = new Progress();

  // 1. List the files.
  const files: WalkedFile[] = [];
  const skipped: WalkSkipped[] = [];
  const followed: WalkFollowed[] = [];
  let walkErrors = 0;
  try {
    const walkOptions = { exclude: flags.exclude, followSymlinks: flags.followSymlinks === true, ...(flags.out ? { outDir: flags.out } : {}) };
    for await (const item of walkFiles(paths, walkOptions)) {
      if (item.kind === 'file') files.push(item);
      else if (item.kind === 'skipped') skipped.push(item);
      else if (item.kind === 'followed') followed.push(item);
      else {
        walkErrors++;
        outcomes.push({ path: item.path, status: 'failed', code: item.error.code, message: item.error.message });
      }
    }
  } catch (e) {
    if (e instanceof CunzhengError) throw new UsageError(`${e.code}: ${e.message}`);
    throw e;
  }
  reportWalk(skipped, followed, err);
  const conflicts = receiptConflicts(files, flags.out ? { outDir: flags.out } : {});
  if (conflicts.length > 0) throw new UsageError(`two files would share the receipt ${conflicts[0]!.receipt}: ${conflicts[0]!.files.join(', ')}`);

  // 2. Hash them locally, on every core.
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const planned: Planned[] = [];
  let i = 0;
  for await (const r of hashFiles(files, {
    onProgress: (p) => progress.update((s) => `hashing ${p.files}/${files.length} files, ${formatBytes(p.bytes)} of ${formatBytes(totalBytes)}, ${formatRate(p.bytes, s)}`),
  })) {
    const file = files[i++]!;
    if (isHashError(r)) {
      outcomes.push({ path: file.path, status: 'failed', code: r.error.code, message: r.error.message });
      continue;
    }
    let rp = receiptPath(file, flags.out ? { outDir: flags.out } : {});
    let existing: Receipt | undefined;
    try {
      const found = await locateReceipt(rp);
      if (found !== undefined) ({ path: rp, receipt: existing } = found);
    } catch (e) {
      outcomes.push({ path: file.path, status: 'failed', code: e instanceof CunzhengError ? e.code : 'RECEIPT_FILE_UNREADABLE', message: `its receipt ${rp} is unreadable: ${(e as Error).message}` });
      continue;
    }
    const plan = planDeposit(r, existing);
    if (plan.status === 'unchanged') {
      outcomes.push({ path: file.path, status: 'unchanged', id: plan.id, receipt: rp });
      continue;
    }
    planned.push({
      file, receiptPath: rp, replaces: existing !== undefined, sha256: r.sha256, sm3: r.sm3, size: r.size, status: plan.status,
      ...(plan.status === 'changed' ? { prev: plan.prev } : {}),
    });
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
      ...(flags.names === true || flags.title !== undefined ? {
        meta: {
          ...(flags.title === undefined ? {} : { title: flags.title }),
          ...(flags.names === true ? { filename: basename(p.file.path).slice(0, 1024), path: p.file.relative.slice(0, 1024) } : {}),
        },
      } : {}),
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
    if (typeof reply !== 'object' || reply === null || !Array.isArray(reply.receipts) || reply.receipts.length !== chunk.length || !Array.isArray(reply.created)) {
      const message = `the service answered a batch of ${chunk.length} with something other than ${chunk.length} receipts; run again to fetch them (a repeated digest is not deposited twice)`;
      for (const p of chunk) outcomes.push({ path: p.file.path, status: 'failed', code: 'DEPOSIT_BAD_REPLY', message });
      continue;
    }
    // Receipts are written 32 at a time: each is a temporary file, fsync, rename and folder fsync.
    const write = async (k: number, p: Planned): Promise<FileOutcome> => {
      let id: string | undefined;
      try {
        const receipt = parseReceipt(reply.receipts[k]);
        id = receipt.id;
        const entry = parseEntry(fromBase64(receipt.entry));
        if (entry.digest.sha256 !== p.sha256) throw new CunzhengError('DEPOSIT_WRONG_RECEIPT', 'the service answered with a receipt for another digest');
        if (trusted.length > 0) await verifyReceipt(receipt, trusted, { digest: { sha256: p.sha256, sm3: p.sm3 } });
        const text = formatReceipt(receipt);
        // Never lost: beside the file, under a shortened name, in the rescue folder, or printed (receipt-store.ts).
        const saved = await saveReceipt(p.receiptPath, receipt.id, text, p.replaces);
        const status = reply.created[k] === false ? 'already-deposited' : p.status === 'changed' ? 'new-version' : 'deposited';
        return {
          path: p.file.path, status, id: receipt.id, index: receipt.index, receipt: saved.path ?? null, receiptWhere: saved.where,
          ...(saved.reason === undefined ? {} : { receiptNote: saved.reason }),
          ...(saved.where === 'nowhere' ? { receiptText: text.trim() } : {}),
          ...(saved.previous === undefined ? {} : { previousReceipt: saved.previous }),
          ...(p.prev === undefined ? {} : { prev: p.prev }),
        };
      } catch (e) {
        if (!(e instanceof CunzhengError)) throw e;
        const about = id === undefined ? '' : ` (the service answered with deposit ${id}; its receipt was not written)`;
        return { path: p.file.path, status: 'failed', code: e.code, message: `${e.message}${about}` };
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

  reportReceiptPlaces(outcomes, err);
  const summary = summarize(outcomes, files.length + walkErrors, totalBytes, skipped.length);
  if (flags.json) out(JSON.stringify({ ...summary, results: outcomes, skipped, followed }, null, 2));
  else printOutcomes(outcomes, summary, out);
  return summary.ok ? EXIT_OK : EXIT_FAILED;
}
