/**
 * `cunzheng history FILE|ID [--json]`: the life of a document — every version and every lifecycle event, in
 * ledger order — in words, in Beijing time with its offset, with the document's state on top. FILE is hashed
 * here and found by its SHA-256; every page of GET /v1/deposits/<id>/history is fetched (cursor). With
 * --json: `{doc, state, items}` as the service answered them (items of every page, receipts included).
 * What the service says is printed without control characters (it goes to a terminal).
 */
import type { Command } from 'commander';
import { fromBase64 } from '../../src/crypto/index.js';
import { beijingTime } from '../../src/entry/index.js';
import { EXIT_OK, UsageError } from '../exit-codes.js';
import { callApi, resolveTarget, targetOf } from './event.js';
import { clean, clientOf, clientOptions } from '../client.js';

export interface HistoryFlags {
  url?: string;
  apiKey?: string;
  config?: string;
  json: boolean;
}

interface HistoryItem {
  id: string;
  leafIndex: number;
  kind: string;
  time: string;
  operator?: string;
  receipt: { entry: string };
}

interface HistoryPage {
  doc: string;
  state: Record<string, unknown>;
  items: HistoryItem[];
  cursor?: string;
}

/** At most this many pages (100 items each) are fetched: a document of 100,000 entries. */
const MAX_PAGES = 1000;

function timeOf(t: unknown): string {
  return typeof t === 'string' && !Number.isNaN(Date.parse(t)) ? beijingTime(t) : clean(t);
}

function ids(v: unknown): string {
  return Array.isArray(v) ? `${v.length} (${v.map(clean).join(', ')})` : '0';
}

/** One entry in words: what was recorded (the entry's own members, as the service returned them). */
export function describeHistoryEntry(kind: string, entry: Record<string, unknown>): string {
  const e = (typeof entry.event === 'object' && entry.event !== null ? entry.event : {}) as Record<string, unknown>;
  const meta = (typeof entry.meta === 'object' && entry.meta !== null ? entry.meta : {}) as Record<string, unknown>;
  const record = typeof e.record === 'object' && e.record !== null ? `; written record SHA-256 ${clean((e.record as { sha256?: unknown }).sha256)}` : '';
  const digest = (entry.digest ?? {}) as { sha256?: unknown };
  switch (kind) {
    case 'deposit': {
      const title = meta.title === undefined ? '' : ` "${clean(meta.title)}"`;
      const what = entry.prev === undefined ? 'deposited (first version)' : `new version of ${clean(entry.prev)}`;
      return `${what}${title}, SHA-256 ${clean(digest.sha256)}${entry.size === undefined ? '' : `, ${clean(entry.size)} bytes`}`;
    }
    case 'classify':
      return `classified (定密) as ${clean(e.level)}, secrecy period ${clean(e.period)}${e.basis === undefined ? '' : `, basis: ${clean(e.basis)}`}${record}`;
    case 'reclassify':
      return `reclassified${e.level === undefined ? '' : ` as ${clean(e.level)}`}${e.period === undefined ? '' : `, secrecy period ${clean(e.period)}`}${e.basis === undefined ? '' : `, basis: ${clean(e.basis)}`}${record}`;
    case 'conceal':
      return `concealment measures (隐密): ${Array.isArray(e.measures) ? e.measures.map(clean).join(', ') : clean(e.measures)}${record}`;
    case 'declassify':
      return `declassified (解密): ${clean(e.reason)}${record}`;
    case 'destroy':
      return `destroyed (销毁) by ${clean(e.method)}: ${clean(e.reason)}${record}`;
    case 'access-grant':
      return `access granted to ${clean(e.who)}${e.role === undefined ? '' : ` as ${clean(e.role)}`}${record}`;
    case 'access-revoke':
      return `access revoked from ${clean(e.who)}${e.role === undefined ? '' : ` (${clean(e.role)})`}${record}`;
    case 'departure-audit':
      return `departure audit (离职审计) of ${clean(e.who)}: returned ${ids(e.returned)}, destroyed ${ids(e.destroyed)}${record}`;
    default:
      return clean(kind);
  }
}

/** The state summary line(s). */
export function describeState(doc: string, s: Record<string, unknown>): string[] {
  const lines = [`Document ${clean(doc)}: ${clean(s.display ?? s.status)}${s.level === undefined ? '' : `, level ${clean(s.level)}`}${s.period === undefined ? '' : `, period ${clean(s.period)}`}${s.expiry === undefined ? '' : ` (expires ${clean(s.expiry)})`}`];
  lines.push(`${clean(s.versions)} version(s), ${clean(s.events)} event(s); created ${timeOf(s.created)}`);
  const people = Array.isArray(s.people) ? s.people as { who?: unknown; role?: unknown }[] : [];
  lines.push(`In the need-to-know scope (知悉范围): ${people.length === 0 ? 'nobody' : people.map((p) => `${clean(p.who)}${p.role === undefined ? '' : ` (${clean(p.role)})`}`).join(', ')}`);
  const measures = Array.isArray(s.measures) ? s.measures.map(clean) : [];
  if (measures.length > 0) lines.push(`Concealment measures: ${measures.join(', ')}`);
  return lines;
}

function entryOf(item: HistoryItem): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(fromBase64(item.receipt.entry)));
    return typeof v === 'object' && v !== null ? v as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

export async function runHistory(arg: string, flags: HistoryFlags, out: (s: string) => void): Promise<number> {
  const target = targetOf(arg);
  const { base, apiKey } = clientOf(flags);
  const { id } = await resolveTarget(target, base, apiKey);
  const items: HistoryItem[] = [];
  let first: HistoryPage | undefined;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const url = new URL(`v1/deposits/${id}/history?limit=100${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`, base);
    const p = await callApi<HistoryPage>(url, apiKey);
    if (typeof p !== 'object' || p === null || !Array.isArray(p.items)) throw new UsageError(`${url}: the answer is not a history`);
    first ??= p;
    items.push(...p.items);
    if (typeof p.cursor !== 'string' || p.items.length === 0) break;
    cursor = p.cursor;
  }
  if (first === undefined) throw new UsageError('no history');
  if (flags.json) {
    out(JSON.stringify({ doc: first.doc, state: first.state, items }));
    return EXIT_OK;
  }
  const lines = describeState(first.doc, first.state);
  lines.push('');
  for (const item of items) {
    const by = item.operator === undefined ? '' : `, by ${clean(item.operator)}`;
    lines.push(`${timeOf(item.time)}  ${clean(item.kind).padEnd(15)} ${clean(item.id)}  ${describeHistoryEntry(item.kind, entryOf(item))}${by}`);
  }
  out(lines.join('\n'));
  return EXIT_OK;
}

/** `cunzheng history …` on the program. */
export function registerHistoryCommands(program: Command, setExit: (code: number) => void, stdout: (s: string) => void): void {
  clientOptions(program
    .command('history')
    .description('the life of a document in words: every version and event in ledger order, Beijing time')
    .argument('<target>', 'a deposited file (hashed here, found by its SHA-256) or a deposit id'))
    .option('--json', 'print the machine-readable result on stdout', false)
    .action(async (target: string, flags: HistoryFlags) => {
      setExit(await runHistory(target, flags, stdout));
    });
}
