/**
 * A v2 event in words, one fact per line, for describeEntry: what was recorded (level, period, measures with
 * their Chinese terms and the SPC 2020 art. 6 item each evidences, the person reference and role, reason,
 * method, the deposits returned or destroyed) and the digest of the written record of the measure.
 */
import { DEFAULT_LEVELS, PERIOD_LONG_TERM, type EntryEvent, type EventRecord, type LifecycleKind } from './event.js';
import { concealMeasureInfo, type ConcealMeasure } from './measures.js';

const LEVEL_GLOSS: Readonly<Record<string, string>> = {
  [DEFAULT_LEVELS[0]!]: 'core trade secret',
  [DEFAULT_LEVELS[1]!]: 'important trade secret',
  [DEFAULT_LEVELS[2]!]: 'ordinary trade secret',
};

/** What each kind records, as the first line of its facts. */
const RECORDED: Readonly<Record<LifecycleKind, string>> = {
  classify: 'the document was classified as a trade secret (定密)',
  reclassify: 'its classification level or secrecy period was changed (密级变更)',
  conceal: 'concealment measures were applied to it (隐密)',
  declassify: 'it was declassified: no longer treated as a secret (解密)',
  destroy: 'it was destroyed (销毁)',
  'access-grant': 'a person was admitted to its need-to-know scope (知悉范围授权)',
  'access-revoke': 'a person was removed from its need-to-know scope (知悉范围撤销)',
  'departure-audit': 'a departing employee was audited: what they returned and destroyed (离职审计)',
};

const IDS_PER_LINE = 4;

export function levelText(level: string): string {
  const gloss = LEVEL_GLOSS[level];
  return gloss === undefined ? level : `${level} (${gloss})`;
}

export function periodText(period: string): string {
  return period === PERIOD_LONG_TERM ? `${PERIOD_LONG_TERM} (long term: no end date)` : `until ${period} (Beijing date), inclusive`;
}

function measureText(code: ConcealMeasure): string {
  const m = concealMeasureInfo(code);
  return `${code} ${m.term} (SPC 2020 art. 6 item ${m.spcItem})`;
}

function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function recordLines(record: EventRecord): string[] {
  const lines = [`Record of the measure, SHA-256: ${record.sha256}`];
  if (record.sm3 !== undefined) lines.push(`Record of the measure, SM3: ${record.sm3}`);
  if (record.size !== undefined) lines.push(`Record of the measure, size: ${groupDigits(record.size)} bytes`);
  return lines;
}

function idLines(label: string, ids: readonly string[]): string[] {
  const lines = [`${label}: ${ids.length} ${ids.length === 1 ? 'deposit' : 'deposits'}`];
  for (let i = 0; i < ids.length; i += IDS_PER_LINE) lines.push(`  ${ids.slice(i, i + IDS_PER_LINE).join(' ')}`);
  return lines;
}

/** The event's facts, in the order a reader expects. */
export function eventLines(kind: LifecycleKind, event: EntryEvent): string[] {
  const e = event as Partial<Record<string, unknown>>;
  const lines = [`Recorded: ${RECORDED[kind]}`];
  if (typeof e.level === 'string') lines.push(`Classification level (密级): ${levelText(e.level)}`);
  if (typeof e.period === 'string') lines.push(`Secrecy period (保密期限): ${periodText(e.period)}`);
  if (typeof e.basis === 'string') lines.push(`Basis (定密依据): ${e.basis}`);
  if (Array.isArray(e.measures)) {
    lines.push(`Measures (隐密措施): ${(e.measures as ConcealMeasure[]).length}`);
    for (const m of e.measures as ConcealMeasure[]) lines.push(`  ${measureText(m)}`);
  }
  if (typeof e.who === 'string') {
    lines.push(`Person (人员): ${e.who} (a reference the enterprise resolves in its own records; the ledger holds no names)`);
  }
  if (typeof e.role === 'string') lines.push(`Role (岗位): ${e.role}`);
  if (typeof e.reason === 'string') lines.push(`Reason (理由): ${e.reason}`);
  if (typeof e.method === 'string') lines.push(`Method (销毁方式): ${e.method}`);
  if (Array.isArray(e.returned)) lines.push(...idLines('Returned (返还)', e.returned as string[]));
  if (Array.isArray(e.destroyed)) lines.push(...idLines('Destroyed (销毁)', e.destroyed as string[]));
  if (kind === 'departure-audit' && e.returned === undefined && e.destroyed === undefined) lines.push('Returned or destroyed: none listed');
  if (e.record !== undefined) lines.push(...recordLines(e.record as EventRecord));
  else lines.push('Record of the measure: none deposited with the event');
  return lines;
}
