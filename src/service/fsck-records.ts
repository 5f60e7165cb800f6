/**
 * fsck of the records derived from the entries: the digest, id and listing indexes (`x D`, `x I`, `x L`),
 * the tenant records (`x T`) and the API-key index (`x K`, fsck-tenants.ts). Offline, on a stopped store;
 * never writes.
 *
 * Both directions are compared: every key the entries imply must be stored with the right leaf index, and
 * every stored key must be one the entries imply. Memory: one pass over the entries keeps, per entry, the
 * CRC-32 of each key it implies and a flag byte (13 bytes per entry: 26 MB at 2M entries); one pass over
 * each stored table marks the entries whose key was found pointing at them. CRC-32 tells apart any two
 * keys of equal length that differ in one bit or one burst of up to 32 bits, so a flipped key or value is
 * never taken for the right one; for damage beyond that a false match has odds of 2^-32 per key. Only the
 * keys that did not match (capped at RESOLVE_LIMIT per table) are then resolved exactly, by reading their
 * entries again.
 *
 * Problem codes (`where` names the record):
 *   INDEX_MISSING            an entry's key is not stored
 *   INDEX_MISMATCH           an entry's key is stored but names another leaf (or is not an 8-byte index)
 *   INDEX_STRAY              a stored key no entry implies (a damaged key, or one naming a leaf that is not stored)
 *   DIGEST_DUPLICATE         a tenant deposited one SHA-256 twice (the digest index was missing at the time)
 *   ENTRY_UNPARSEABLE        an entry does not parse: its keys cannot be derived (the ledger fsck reports why)
 *   TENANT_CORRUPT           a tenant record fails its check, or is not a valid record
 *   TENANT_SUBJECT_MISMATCH  a tenant's name or USCC differs from the subject of its entries
 *   TENANT_MISSING           entries name a tenant that has no record
 *   API_KEY_INDEX_CORRUPT    an `x K` value fails its check (or its key is not a 32-byte hash)
 *   API_KEY_INDEX_DANGLING   an `x K` value names a tenant that has no record
 *   API_KEY_INDEX_MISMATCH   an `x K` key is not the key hash its tenant's record holds
 *   API_KEY_INDEX_MISSING    a tenant's key hash has no `x K` entry
 */
import { crc32 } from 'node:zlib';
import { CunzhengError } from '../errors.js';
import { bytesEqual, concatBytes, fromHex, toHex } from '../crypto/index.js';
import { hashLeaf } from '../merkle/index.js';
import { parseEntry } from '../entry/index.js';
import { DEPOSIT_ID_BYTES } from '../receipt/index.js';
import { recordKeys, type LedgerRecords } from '../ledger/index.js';
import { checkTenants } from './fsck-tenants.js';

const { TABLE, decodeIndexValue, digestPrefix, idKey, listingKey, listingPrefix, parseDigestKey, parseListingKey } = recordKeys;
const DIGEST_TABLE = TABLE.digest;
const ID_TABLE = TABLE.id;

export type ProblemReporter = (where: string, code: string, message: string) => void;

export interface DerivedRecordsSummary {
  /** Stored derived records read: `x D`, `x I`, `x T` and `x K` keys. */
  records: number;
  /** Entries read. */
  entries: number;
  /** Tenant records that passed their check. */
  tenants: number;
  /** Of those, records still in the legacy (b4de8cb) format, without a check of their own. */
  legacyTenants: number;
}

/** Unmatched keys resolved exactly per table; beyond, they are reported without being told apart. */
export const RESOLVE_LIMIT = 10_000;

const D_EXPECTED = 1;
const D_SEEN = 2;
const I_EXPECTED = 4;
const I_SEEN = 8;
const UNPARSEABLE = 16;
const L_EXPECTED = 32;
const L_SEEN = 64;

interface Table {
  tag: number;
  name: 'digest' | 'id' | 'listing';
  expected: number;
  seen: number;
  fp: Uint32Array;
  /** The exact key the entry at `index` implies in this table, or undefined (none, or an entry that does not parse). */
  keyOf(bytes: Uint8Array | undefined, index: number): Uint8Array | undefined;
  /** The leaf a stored record names (in its value, or, for a listing, in its key), or undefined. */
  leafOf(key: Uint8Array, value: Uint8Array): number | undefined;
  label(key: Uint8Array): string;
}

const leafInValue = (_k: Uint8Array, v: Uint8Array): number | undefined => decodeIndexValue(v);
const leafInKey = (k: Uint8Array): number | undefined => parseListingKey(k)?.leafIndex;

function listingKeyOf(bytes: Uint8Array, index: number): Uint8Array | undefined {
  try {
    const e = parseEntry(bytes);
    return e.kind === 'deposit' ? new Uint8Array(listingKey(listingPrefix(e.tenant), index)) : undefined;
  } catch {
    return undefined;
  }
}

const ID_KEY_CRC = crc32(recordKeys.tablePrefix('id'));

function idKeyOf(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(idKey(hashLeaf(bytes)));
}

function digestKeyOf(bytes: Uint8Array): Uint8Array | undefined {
  try {
    const e = parseEntry(bytes);
    return e.kind === 'deposit' ? concatBytes(digestPrefix(e.tenant), fromHex(e.digest.sha256, 32)) : undefined;
  } catch {
    return undefined;
  }
}

function digestLabel(key: Uint8Array): string {
  const d = parseDigestKey(key);
  return d === undefined ? `index D (hex ${toHex(key.subarray(2))})` : `index D ${d.tenantId}/${d.sha256}`;
}

function describeValue(i: number | undefined, v: Uint8Array, n: number): string {
  if (i === undefined) return `${v.length} bytes, not an 8-byte leaf index`;
  return i < n ? `leaf ${i}` : `leaf ${i}, beyond the tree of ${n}`;
}

/**
 * Checks the derived records of a stopped store against its entries, reporting each problem; returns
 * what was read. Throws only when the store is unreadable or has no ledger state.
 */
export async function checkDerivedRecords(store: LedgerRecords, report: ProblemReporter): Promise<DerivedRecordsSummary> {
  const n = await store.storedTreeSize();
  if (n === undefined) throw new CunzhengError('STORE_EMPTY', 'no ledger state: this is not a ledger store');
  const summary: DerivedRecordsSummary = { records: 0, entries: 0, tenants: 0, legacyTenants: 0 };
  const tenants = await checkTenants(store, report, summary);

  const flags = new Uint8Array(n);
  const fpD = new Uint32Array(n);
  const fpI = new Uint32Array(n);
  const fpL = new Uint32Array(n);
  const listingCrc = new Map<string, number>(); // CRC-32 of each tenant's x L prefix, continued per leaf
  const leafBytes = new Uint8Array(8);
  const subjects = new Map<string, { count: number; first: number; record: boolean }>();
  const prefixCrc = new Map<string, number>(); // CRC-32 of each tenant's x D prefix, continued per digest
  await store.scanEntries(0, n, (kv) => {
    for (const [i, bytes] of kv) {
      summary.entries++;
      fpI[i] = crc32(hashLeaf(bytes).subarray(0, DEPOSIT_ID_BYTES), ID_KEY_CRC);
      flags[i] = I_EXPECTED;
      let e;
      try {
        e = parseEntry(bytes);
      } catch (err) {
        flags[i] = UNPARSEABLE;
        const code = err instanceof CunzhengError ? err.code : 'ENTRY_MALFORMED';
        report(`entry ${i}`, 'ENTRY_UNPARSEABLE', `the entry does not parse (${code}): its index keys cannot be checked`);
        continue;
      }
      if (e.kind === 'deposit') {
        let p = prefixCrc.get(e.tenant);
        if (p === undefined) prefixCrc.set(e.tenant, (p = crc32(digestPrefix(e.tenant))));
        fpD[i] = crc32(fromHex(e.digest.sha256, 32), p); // = crc32 of the whole key
        let l = listingCrc.get(e.tenant);
        if (l === undefined) listingCrc.set(e.tenant, (l = crc32(listingPrefix(e.tenant))));
        writeLeaf(leafBytes, i);
        fpL[i] = crc32(leafBytes, l);
        flags[i] |= D_EXPECTED | L_EXPECTED;
      }
      const t = tenants.get(e.tenant);
      if (t !== undefined && t.record === undefined) continue; // a damaged record, reported already
      if (t === undefined || e.subject.name !== t.record!.name || e.subject.uscc !== t.record!.uscc) {
        const s = subjects.get(e.tenant);
        if (s !== undefined) s.count++;
        else if (subjects.size < RESOLVE_LIMIT) subjects.set(e.tenant, { count: 1, first: i, record: t !== undefined });
      }
    }
  });
  for (const [id, s] of subjects) {
    if (s.record) report(`tenant ${id}`, 'TENANT_SUBJECT_MISMATCH', `the record's name or USCC differs from the subject of ${s.count} of its entries (the first: ${s.first})`);
    else report(`tenant ${id}`, 'TENANT_MISSING', `${s.count} entries name this tenant (the first: ${s.first}), which has no record`);
  }

  const tables: Table[] = [
    { tag: DIGEST_TABLE, name: 'digest', expected: D_EXPECTED, seen: D_SEEN, fp: fpD, keyOf: (b) => (b === undefined ? undefined : digestKeyOf(b)), leafOf: leafInValue, label: digestLabel },
    {
      tag: ID_TABLE, name: 'id', expected: I_EXPECTED, seen: I_SEEN, fp: fpI,
      keyOf: (b) => (b !== undefined && parses(b) ? idKeyOf(b) : undefined),
      leafOf: leafInValue,
      label: (k) => `index I ${toHex(k.subarray(2))}`,
    },
    {
      tag: TABLE.listing, name: 'listing', expected: L_EXPECTED, seen: L_SEEN, fp: fpL,
      keyOf: (b, i) => (b === undefined ? undefined : listingKeyOf(b, i)),
      leafOf: leafInKey,
      label: (k) => {
        const l = parseListingKey(k);
        return l === undefined ? `listing (hex ${toHex(k.subarray(2))})` : `listing ${l.tenantId}/${l.leafIndex}`;
      },
    },
  ];
  for (const t of tables) summary.records += await checkTable(store, t, flags, n, report);
  return summary;
}

/** The 8-byte big-endian leaf index of a listing key. */
function writeLeaf(out: Uint8Array, i: number): void {
  const hi = Math.floor(i / 2 ** 32);
  const lo = i % 2 ** 32;
  new DataView(out.buffer, out.byteOffset, 8).setUint32(0, hi);
  new DataView(out.buffer, out.byteOffset, 8).setUint32(4, lo);
}

function parses(bytes: Uint8Array): boolean {
  try {
    parseEntry(bytes);
    return true;
  } catch {
    return false;
  }
}

/** One index table: the stored keys against the entries' fingerprints, then the exceptions exactly. */
async function checkTable(store: LedgerRecords, t: Table, flags: Uint8Array, n: number, report: ProblemReporter): Promise<number> {
  let records = 0;
  const unmatched: { key: Uint8Array; value: Uint8Array }[] = [];
  await store.scan(t.name, (kv) => {
    for (const [k, v] of kv) {
      records++;
      const i = t.leafOf(k, v);
      if (i !== undefined && i < n && (flags[i]! & (t.expected | t.seen)) === t.expected && t.fp[i] === crc32(k)) {
        flags[i]! |= t.seen;
        continue;
      }
      if (unmatched.length < RESOLVE_LIMIT) unmatched.push({ key: new Uint8Array(k), value: new Uint8Array(v) });
      else report(t.label(k), 'INDEX_STRAY', `names ${describeValue(i, v, n)} and matches no entry's key (not told apart: over ${RESOLVE_LIMIT} problems)`);
    }
  });
  // The entries whose key was not found pointing at them, by their exact key.
  const missing = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    if ((flags[i]! & (t.expected | t.seen)) !== t.expected) continue;
    const key = missing.size < RESOLVE_LIMIT ? t.keyOf(await store.readEntry(i), i) : undefined;
    if (key === undefined) report(`entry ${i}`, 'INDEX_MISSING', `its ${t.name} key was not found naming it`);
    else missing.set(toHex(key), i);
  }
  for (const u of unmatched) {
    const hex = toHex(u.key);
    const i = missing.get(hex);
    if (i !== undefined) {
      report(t.label(u.key), 'INDEX_MISMATCH', `should name leaf ${i}, names ${describeValue(t.leafOf(u.key, u.value), u.value, n)}`);
      missing.delete(hex);
      continue;
    }
    const j = t.leafOf(u.key, u.value);
    if (j !== undefined && j < n && (flags[j]! & UNPARSEABLE) !== 0) continue; // reported as ENTRY_UNPARSEABLE
    const exact = j !== undefined && j < n ? t.keyOf(await store.readEntry(j), j) : undefined;
    if (exact !== undefined && bytesEqual(exact, u.key)) continue; // right after all (it shares leaf j with a stray)
    report(t.label(u.key), 'INDEX_STRAY', `names ${describeValue(j, u.value, n)}, but no entry implies this key`);
  }
  for (const [hex, i] of missing) {
    const v = await store.get(fromHex(hex));
    const j = v === undefined ? undefined : t.leafOf(fromHex(hex), v);
    const label = t.label(fromHex(hex));
    if (v === undefined) report(label, 'INDEX_MISSING', `entry ${i} implies this key, which is not stored`);
    else if (j !== undefined && j < n && j !== i && (flags[j]! & t.seen) !== 0 && bytesEqual(t.keyOf(await store.readEntry(j), j) ?? new Uint8Array(0), fromHex(hex))) {
      report(`entry ${i}`, t.tag === DIGEST_TABLE ? 'DIGEST_DUPLICATE' : 'INDEX_MISMATCH', `leaf ${j} has the same ${t.tag === DIGEST_TABLE ? 'tenant and SHA-256' : 'deposit id'}; ${label} names leaf ${j}`);
    } else report(label, 'INDEX_MISMATCH', `should name leaf ${i}, names ${describeValue(j, v, n)}`);
  }
  return records;
}

