/**
 * What `cunzheng deposit` tells the user: on stderr, as soon as the walk is done, everything it did not
 * deposit and why (links not followed, special files, loops) and links it followed out of the folder; after
 * the deposits, receipts written somewhere other than beside their file; on stdout, one line per file and a
 * summary (or the JSON result). Nothing is skipped without a word.
 */
import type { WalkFollowed, WalkSkipped } from '../local/index.js';
import { formatBytes } from '../progress.js';

/** At most this many paths per kind of skip on stderr; the count says how many there were. */
const SHOWN = 10;

export type FileOutcome =
  | {
      path: string;
      status: 'deposited' | 'new-version' | 'already-deposited';
      id: string;
      index: number;
      /** Where the receipt is; null when it could be written nowhere (then `receiptText` holds it). */
      receipt: string | null;
      /** 'beside' unless the receipt had to go elsewhere (cli/local/receipt-store.ts). */
      receiptWhere: 'beside' | 'shortened' | 'rescued' | 'nowhere';
      receiptNote?: string;
      receiptText?: string;
      /** The history file the previous version's receipt was kept as. */
      previousReceipt?: string;
      prev?: string;
    }
  | { path: string; status: 'unchanged'; id: string; receipt: string }
  | { path: string; status: 'failed'; code: string; message: string };

function list(title: string, items: string[], err: (s: string) => void): void {
  if (items.length === 0) return;
  err(`cunzheng: ${title}:`);
  for (const line of items.slice(0, SHOWN)) err(`  ${line}`);
  if (items.length > SHOWN) err(`  … and ${items.length - SHOWN} more (--json lists them all)`);
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The walk's skips and followed links, on stderr. */
export function reportWalk(skipped: WalkSkipped[], followed: WalkFollowed[], err: (s: string) => void): void {
  const by = (r: WalkSkipped['reason']): WalkSkipped[] => skipped.filter((s) => s.reason === r);
  const links = by('symlink');
  list(`skipped ${plural(links.length, 'symbolic link')} inside the folders (not followed; --follow-symlinks deposits what they point to)`,
    links.map((s) => `${s.path} → ${s.target ?? '?'}`), err);
  const special = by('not-a-regular-file');
  list(`skipped ${plural(special.length, 'special file')} (FIFO, socket or device: never opened)`, special.map((s) => s.path), err);
  const loops = by('symlink-loop');
  list(`did not follow ${plural(loops.length, 'symbolic link')} back into a folder being walked (a loop)`, loops.map((s) => `${s.path} → ${s.target ?? '?'}`), err);
  const again = by('already-listed');
  list(`did not follow ${plural(again.length, 'symbolic link')} to what is inside the folder or already listed (each file is deposited once, under its first path)`, again.map((s) => `${s.path} → ${s.target ?? '?'}`), err);
  list(`skipped ${plural(by('receipt').length, 'path')} given that ${by('receipt').length === 1 ? 'is a receipt' : 'are receipts'}`, by('receipt').map((s) => s.path), err);
  list(`skipped ${plural(by('excluded').length, 'path')} given that --exclude matches`, by('excluded').map((s) => s.path), err);
  if (followed.length > 0) {
    list(`followed ${plural(followed.length, 'symbolic link')} out of the folder given (--follow-symlinks); the receipts of what they lead to are written through the link`,
      followed.map((f) => `${f.path} → ${f.target}`), err);
  }
}

/** Receipts that are not beside their file, on stderr: where they went and why; one that went nowhere, whole. */
export function reportReceiptPlaces(outcomes: FileOutcome[], err: (s: string) => void): void {
  for (const o of outcomes) {
    if (o.status !== 'deposited' && o.status !== 'new-version' && o.status !== 'already-deposited') continue;
    if (o.receiptWhere === 'shortened') err(`cunzheng: ${o.path}: its name is too long for "<name>.receipt.json"; the receipt is ${o.receipt} (a re-run finds it there)`);
    else if (o.receiptWhere === 'rescued') err(`cunzheng: ${o.path}: the receipt could not be written beside the file (${o.receiptNote ?? ''}); it is in ${o.receipt}: move it beside the file`);
    else if (o.receiptWhere === 'nowhere') {
      err(`cunzheng: ${o.path}: deposited as ${o.id}, but its receipt could be written nowhere (${o.receiptNote ?? ''}); save the next line as its receipt (a re-run fetches it again without a new deposit):`);
      err(JSON.stringify(JSON.parse(o.receiptText ?? 'null')));
    }
  }
}

export interface DepositSummary {
  ok: boolean;
  files: number;
  bytes: number;
  deposited: number;
  newVersions: number;
  alreadyDeposited: number;
  unchanged: number;
  failed: number;
  skipped: number;
  receiptsElsewhere: number;
}

export function summarize(outcomes: FileOutcome[], files: number, bytes: number, skipped: number): DepositSummary {
  const count = (s: FileOutcome['status']): number => outcomes.filter((o) => o.status === s).length;
  const elsewhere = outcomes.filter((o) => 'receiptWhere' in o && (o.receiptWhere === 'rescued' || o.receiptWhere === 'nowhere')).length;
  const failed = count('failed');
  return {
    ok: failed === 0 && elsewhere === 0,
    files,
    bytes,
    deposited: count('deposited'),
    newVersions: count('new-version'),
    alreadyDeposited: count('already-deposited'),
    unchanged: count('unchanged'),
    failed,
    skipped,
    receiptsElsewhere: elsewhere,
  };
}

export function printOutcomes(outcomes: FileOutcome[], summary: DepositSummary, out: (s: string) => void): void {
  for (const o of outcomes) {
    if (o.status === 'failed') out(`✘ ${o.path}: ${o.code}: ${o.message}`);
    else if (o.status === 'unchanged') continue;
    else {
      const where = o.receipt === null ? '; receipt NOT written (see stderr)' : o.receiptWhere === 'beside' ? '' : `; receipt in ${o.receipt}`;
      const kept = o.previousReceipt === undefined ? '' : `; previous receipt kept as ${o.previousReceipt}`;
      if (o.status === 'new-version') out(`✔ ${o.path}: new version ${o.id} (leaf ${o.index}) of ${o.prev}${kept}${where}`);
      else if (o.status === 'deposited') out(`✔ ${o.path}: deposited ${o.id} (leaf ${o.index})${where}`);
      else out(`✔ ${o.path}: already deposited as ${o.id}; receipt written${kept}${where}`);
    }
  }
  out(`${summary.files} files (${formatBytes(summary.bytes)}) hashed locally: ${summary.deposited} deposited, ${summary.newVersions} new versions, ` +
    `${summary.alreadyDeposited} already deposited, ${summary.unchanged} unchanged${summary.failed ? `, ${summary.failed} failed` : ''}` +
    `${summary.skipped ? `, ${summary.skipped} skipped (see stderr)` : ''}${summary.receiptsElsewhere ? `, ${summary.receiptsElsewhere} receipts not beside their file (see stderr)` : ''}.`);
}
