/**
 * The receipts of a deposit, as `cunzheng deposit` writes them, in one zip: `<path>.receipt.json` for every
 * file (its path inside the chosen folder, or its name), each receipt's text exactly what the CLI writes
 * (formatReceipt of src/receipt/receipt.ts: the members in the format's order, two-space JSON, a final
 * newline; test/web/console.test.ts holds the two equal). The zip is deterministic: entries sorted by name,
 * one fixed time (1980-01-01 00:00, the zip format's first day, in whatever zone the browser is), the same
 * compression level — the same receipts always make the same bytes.
 */
import { zipSync, strToU8 } from 'fflate';
import { formatReceipt, type Receipt } from '../../src/receipt/receipt.js';

export interface ReceiptJson {
  format: string;
  id: string;
  entry: string;
  index: number;
  proof: string[];
  checkpoint: string;
  anchors: { type: string; checkpoint: string; token: string; consistency: string[] }[];
  log: { origin: string; key: string };
}

/** The receipt's text as the CLI writes it: the core's own formatReceipt (src/receipt/receipt.ts). */
export function receiptText(r: ReceiptJson): string {
  return formatReceipt({ ...r, anchors: r.anchors ?? [] } as unknown as Receipt);
}

/** The entry's own JSON (the receipt's base64 `entry`, UTF-8): what the ledger holds about the document. */
export function entryOf(r: { entry: string }): Record<string, unknown> {
  const bin = atob(r.entry);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

const ZIP_TIME = new Date(1980, 0, 1, 0, 0, 0);

/** One zip of `name → text`, names sorted; a name given twice keeps both (`a.receipt.json`, `a.2.receipt.json`). */
export function zipTexts(files: { name: string; text: string }[]): Uint8Array {
  const taken = new Set<string>();
  const entries: [string, string][] = [];
  for (const f of files) {
    let name = f.name;
    for (let n = 2; taken.has(name); n++) name = f.name.replace(/\.receipt\.json$/, `.${n}.receipt.json`);
    taken.add(name);
    entries.push([name, f.text]);
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const data: Record<string, [Uint8Array, { mtime: Date; level: 6 }]> = {};
  for (const [name, text] of entries) data[name] = [strToU8(text), { mtime: ZIP_TIME, level: 6 }];
  return zipSync(data);
}
