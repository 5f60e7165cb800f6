/**
 * A human summary of an entry, one fact per line, for the CLI's verify output and certificates. Times
 * are shown in Beijing time with the offset written out (China Standard Time, UTC+08:00, no daylight
 * saving since 1991), as courts read them, with the UTC instant the entry actually holds beside it.
 * The entry's text fields cannot hold control, line-separator or bidi-override characters (see
 * fields.ts), so a line here cannot forge another.
 */
import type { Entry } from './entry.js';
import { eventLines } from './describe-event.js';
import { isLifecycleKind } from './event.js';
import { ENTRY_KIND_TERMS } from './kinds.js';
import type { MetaValue } from './meta.js';

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** "2026-11-21T08:30:00.123Z" → "2026-11-21 16:30:00.123 +08:00". `time` must be a valid entry time. */
export function beijingTime(time: string): string {
  const d = new Date(Date.parse(time) + BEIJING_OFFSET_MS);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} +08:00`;
}

/** 1234567 → "1,234,567". Safe integers only (the entry guarantees it). */
function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const META_LABELS: Readonly<Record<string, string>> = {
  title: 'Title',
  level: 'Classification level (密级)',
  category: 'Category',
  labels: 'Labels',
  filename: 'File name',
  path: 'Path',
  version: 'Version',
  note: 'Note',
};

function metaText(value: MetaValue): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * Lines such as "Depositor: 示例科技有限公司 (USCC 91…)" and "Received: … +08:00 (Beijing time)". A v2 entry adds
 * its operator; a v2 event its facts in words (describe-event.ts), then the digest of the document concerned.
 */
export function describeEntry(entry: Entry): string[] {
  const lines = [
    `Kind: ${entry.kind} (${ENTRY_KIND_TERMS[entry.kind]})`,
    `Depositor: ${entry.subject.name} (USCC ${entry.subject.uscc})`,
    `Tenant: ${entry.tenant}`,
  ];
  if (entry.operator !== undefined) lines.push(`Operator (操作人): ${entry.operator} (the tenant's user who made the request)`);
  const event = entry.v === 2 && isLifecycleKind(entry.kind) && entry.event !== undefined ? { kind: entry.kind, event: entry.event } : undefined;
  if (event !== undefined) {
    lines.push(`Document version concerned (deposit): ${entry.prev ?? ''}`);
    lines.push(...eventLines(event.kind, event.event));
    lines.push('The document concerned, as deposited:');
  }
  lines.push(`SHA-256: ${entry.digest.sha256}`);
  if (entry.digest.sm3 !== undefined) lines.push(`SM3: ${entry.digest.sm3}`);
  lines.push(`Digest computed by: ${entry.hashedBy === 'client' ? 'the depositor (client side)' : 'the service, from the uploaded document'}`);
  if (entry.size !== undefined) lines.push(`Size: ${groupDigits(entry.size)} bytes`);
  if (entry.meta !== undefined) {
    const meta = entry.meta;
    // Known keys first, in the order a reader expects; then the others as written (ascending).
    for (const [key, label] of Object.entries(META_LABELS)) if (Object.hasOwn(meta, key)) lines.push(`${label}: ${metaText(meta[key] as MetaValue)}`);
    for (const [key, value] of Object.entries(meta)) if (!Object.hasOwn(META_LABELS, key)) lines.push(`meta.${key}: ${metaText(value)}`);
  }
  if (entry.prev !== undefined && event === undefined) {
    lines.push(`${entry.kind === 'deposit' ? 'New version of deposit' : 'Concerns deposit'}: ${entry.prev}`);
  }
  lines.push(`Received: ${beijingTime(entry.time)} (Beijing time); ${entry.time} UTC`);
  return lines;
}
