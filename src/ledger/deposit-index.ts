/**
 * The deposit index: a tenant's digest → its deposit (`x D`), a deposit id → its leaf (`x I`), with their
 * layout in record-keys.ts. The keys are data that travels with the entries: the integrator writes them in
 * the same synced batch as the entries they name (`indexWrites`), and the in-memory digest filter learns a
 * digest only once its batch is durable (`learn`). Until then a second deposit of the digest in this
 * process waits on the first (the service's in-flight claims); after a restart LevelDB is the authority.
 *
 * What is read back is checked before it is used: an index value must be an 8-byte leaf index naming a
 * stored entry, that entry must parse and must be the one the key describes (the tenant's deposit of that
 * digest; the entry whose leaf hash starts with that id). Anything else is the store's damage:
 * STORE_CORRUPT (500) with `details.where` naming the record and `details.problem` one of INDEX_MISMATCH,
 * ENTRY_MISSING, ENTRY_UNPARSEABLE — never a client's ENTRY_* code, never another deposit.
 */
import { CunzhengError } from '../errors.js';
import { bytesEqual } from '../crypto/index.js';
import { hashLeaf } from '../merkle/index.js';
import { parseEntry, type Entry } from '../entry/index.js';
import { DEPOSIT_ID_BYTES } from '../receipt/deposit-id.js';
import { DigestFilter } from './digest-filter.js';
import { decodeIndexValue, digestKey, digestPrefix, idKey, indexValue, listingKey, listingPrefix, LISTING_VALUE, parseListingKey, rootKey } from './record-keys.js';
import type { LedgerRecords, Pair } from './records.js';

export function storeCorrupt(where: string, message: string, problem: string, cause?: unknown): CunzhengError {
  return new CunzhengError('STORE_CORRUPT', `${where}: ${message}; run cunzheng fsck`, {
    ...(cause === undefined ? {} : { cause }),
    details: { where, problem },
  });
}

/** A committed entry an index named, checked; 'committing': its group has landed, its callers are not answered yet. */
export type Indexed = { index: number; bytes: Uint8Array; entry: Entry };
export type IndexedEntry = Indexed | 'committing';

/**
 * The index keys of a run, the group's leaves [from, to) whose first leaf index is `firstIndex`: `I` for
 * every entry, `D` for those the run gave a digest key (`digestKeys[i - from]`), `L` for every entry when
 * the run gave a tenant's listing prefix, `N` (valued with the entry's own id) for every entry when it gave
 * a tenant's roots prefix.
 */
export function indexWrites(
  leafHashes: readonly Uint8Array[], from: number, to: number, firstIndex: number,
  digestKeys: readonly (Uint8Array | undefined)[] | undefined, listing: Uint8Array | undefined, out: Pair[],
  roots?: Uint8Array,
): void {
  for (let i = from; i < to; i++) {
    const leaf = firstIndex + i - from;
    const v = indexValue(leaf);
    out.push([idKey(leafHashes[i]!), v]);
    const d = digestKeys?.[i - from];
    if (d !== undefined) out.push([d, v]);
    if (listing !== undefined) out.push([listingKey(listing, leaf), LISTING_VALUE]);
    if (roots !== undefined) out.push([rootKey(roots, leaf), leafHashes[i]!.slice(0, DEPOSIT_ID_BYTES)]);
  }
}

/** The ledger's view the index reads through: the released tree and its entries. */
export interface IndexHost {
  readonly treeSize: number;
  entry(index: number): Promise<Uint8Array | undefined>;
}

export class DepositIndex {
  readonly filter = new DigestFilter();

  constructor(private readonly records: LedgerRecords, private readonly host: IndexHost) {}

  /** The key prefix of a tenant's digest keys (keep it per tenant: it is a copy). */
  prefix(tenantId: string): Uint8Array {
    return digestPrefix(tenantId);
  }

  /** The prefix of a tenant's listing keys (keep it per tenant: it is a copy). */
  listingPrefix(tenantId: string): Uint8Array {
    return listingPrefix(tenantId);
  }

  /**
   * Up to `limit` leaf indices of the tenant's deposits after leaf `after` (from the first when undefined),
   * in leaf order, within the released tree (a group being committed is not listed until it is answered).
   */
  async list(tenantId: string, after: number | undefined, limit: number): Promise<number[]> {
    const prefix = listingPrefix(tenantId);
    const gte = listingKey(prefix, after === undefined ? 0 : after + 1).slice();
    const lt = listingKey(prefix, this.host.treeSize).slice();
    const out: number[] = [];
    for (const [k] of await this.records.range(gte, lt, limit)) {
      const at = parseListingKey(k);
      if (at === undefined || at.tenantId !== tenantId) throw storeCorrupt(`listing ${tenantId}`, 'a listing key has not the shape of one', 'INDEX_MISMATCH');
      out.push(at.leafIndex);
    }
    return out;
  }

  /** The digest key of a lowercase-hex SHA-256 under a tenant's prefix (DEPOSIT_BAD_DIGEST unless 64 hex digits). */
  digestKey(prefix: Uint8Array, sha256Hex: string): Uint8Array {
    return digestKey(prefix, sha256Hex);
  }

  /**
   * Fills the digest filter from the stored digest keys; until it is done every lookup goes to LevelDB.
   * A failed scan turns the filter off (lookups keep going to LevelDB).
   */
  async loadFilter(): Promise<void> {
    try {
      await this.records.scanKeys('digest', (keys) => {
        for (const k of keys) this.filter.add(k);
      });
      this.filter.markReady();
    } catch {
      this.filter.turnOff();
    }
  }

  /** Digest keys whose batch is durable (called by the integrator, and by the recovery for groups that landed). */
  learn(digestKeys: readonly Uint8Array[]): void {
    for (const k of digestKeys) this.filter.add(k);
  }

  /**
   * The deposits the digest keys name (all of one tenant, `tenantId`, of the SHA-256s `sha256s`), checked;
   * undefined for a digest never deposited. Only keys the filter may contain are read.
   */
  async findDigests(tenantId: string, keys: readonly Uint8Array[], sha256s: readonly string[]): Promise<(IndexedEntry | undefined)[]> {
    const out: (IndexedEntry | undefined)[] = new Array(keys.length);
    const maybe: number[] = [];
    for (let j = 0; j < keys.length; j++) if (this.filter.mayContain(keys[j]!)) maybe.push(j);
    if (maybe.length === 0) return out;
    const found = await this.records.getMany(maybe.map((j) => keys[j]!));
    await Promise.all(found.map(async (v, k) => {
      if (v === undefined) return;
      const j = maybe[k]!;
      const where = `index D ${tenantId}/${sha256s[j]!}`;
      const at = await this.read(v, where);
      if (at !== 'committing') checkDigestTarget(at, tenantId, sha256s[j]!, where);
      out[j] = at;
    }));
    return out;
  }

  /** The entry the deposit id (16 bytes) names, checked; undefined when no entry has that id. */
  async findId(id: Uint8Array, idHex: string): Promise<IndexedEntry | undefined> {
    const v = await this.records.get(idKey(id));
    if (v === undefined) return undefined;
    const where = `index I ${idHex}`;
    const found = await this.read(v, where);
    if (found !== 'committing') checkIdTarget(found, id, where);
    return found;
  }

  /** The entry an index value names, parsed. Beyond the released tree: 'committing' when stored, else damage. */
  private async read(value: Uint8Array, where: string): Promise<IndexedEntry> {
    const index = decodeIndexValue(value);
    if (index === undefined) throw storeCorrupt(where, `the index value holds ${value.length} bytes, not an 8-byte leaf index`, 'INDEX_MISMATCH');
    if (index >= this.host.treeSize) {
      if ((await this.records.readEntry(index)) !== undefined) return 'committing';
      throw storeCorrupt(where, `the index names leaf ${index}, beyond the tree of ${this.host.treeSize}`, 'INDEX_MISMATCH');
    }
    const bytes = await this.host.entry(index);
    if (bytes === undefined) throw storeCorrupt(where, `the index names leaf ${index}, which is not stored`, 'ENTRY_MISSING');
    return { index, bytes, entry: parseStoredEntry(bytes, index) };
  }
}

/** parseEntry for bytes read from storage: a refusal is the store's damage, not a client's mistake. */
export function parseStoredEntry(bytes: Uint8Array, index: number): Entry {
  try {
    return parseEntry(bytes);
  } catch (e) {
    const code = e instanceof CunzhengError ? e.code : 'ENTRY_MALFORMED';
    throw storeCorrupt(`entry ${index}`, `the stored entry does not parse (${code}: ${(e as Error).message})`, 'ENTRY_UNPARSEABLE', e);
  }
}

function checkDigestTarget(found: Indexed, tenantId: string, sha256Hex: string, where: string): void {
  const e = found.entry;
  if (e.tenant !== tenantId || e.digest.sha256 !== sha256Hex || e.kind !== 'deposit') {
    throw storeCorrupt(where, `the digest index names leaf ${found.index}, which is not this tenant's deposit of this digest`, 'INDEX_MISMATCH');
  }
}

function checkIdTarget(found: Indexed, id: Uint8Array, where: string): void {
  if (!bytesEqual(hashLeaf(found.bytes).subarray(0, DEPOSIT_ID_BYTES), id.subarray(0, DEPOSIT_ID_BYTES))) {
    throw storeCorrupt(where, `the id index names leaf ${found.index}, whose deposit id is another`, 'INDEX_MISMATCH');
  }
}
