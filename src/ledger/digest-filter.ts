/**
 * The digest filter: which (tenant, SHA-256) keys have certainly never been deposited.
 *
 * Every deposit must check that its tenant has not deposited the digest before (idempotency). Almost all
 * deposits are new, and asking LevelDB costs more than building the entry: a read takes a snapshot under
 * LevelDB's mutex on the main thread, and while the sync writer or a compaction holds that mutex the
 * whole event loop waits (measured: 0.2 ms median, 13 ms p90, 49 ms p99 per getMany under a sync writer).
 * This filter answers "certainly new" from memory; only a "maybe" (a digest deposited before, or a
 * fingerprint collision) goes to LevelDB, whose answer is final. The filter never decides that a
 * deposit exists, so it cannot make the service lose or duplicate one: at worst it costs a read.
 *
 * Layout: an open-addressing set (linear probing) of 32-bit fingerprints in a Uint32Array, at most half
 * full, doubled as it fills; 8 bytes per deposit (15 MB for 1.91M deposits). A fingerprint is a seeded
 * mix of the whole LevelDB key: the seed is random per process, so a tenant cannot aim digests at one
 * probe chain. Above MAX_SLOTS (2^26 slots: 256 MiB, about 33M deposits) the filter turns itself off and
 * every lookup goes to LevelDB, as before the filter existed.
 *
 * It starts empty and not ready: opening the ledger scans the stored keys in the background (keys
 * only, in chunks); until the scan ends every lookup goes to LevelDB. Keys committed during the scan are
 * added once durable by the commit path as well, so nothing is missed either way.
 */
import { randomBytes } from 'node:crypto';

export const MAX_SLOTS = 1 << 26;
const MIN_SLOTS = 1 << 16;

export class DigestFilter {
  private slots: Uint32Array;
  private mask: number;
  private count = 0;
  private readonly seed: number;
  private state: 'building' | 'ready' | 'off' = 'building';

  constructor(expected = 0) {
    let size = MIN_SLOTS;
    while (size < expected * 2 && size < MAX_SLOTS) size *= 2;
    this.slots = new Uint32Array(size);
    this.mask = size - 1;
    this.seed = randomBytes(4).readUInt32LE(0);
  }

  /** True once the scan of stored keys has finished (and the filter has not been turned off). */
  get ready(): boolean {
    return this.state === 'ready';
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  /** The fingerprint of a key: never 0 (0 marks an empty slot). */
  fingerprint(key: Uint8Array): number {
    let h = this.seed ^ key.length;
    for (let i = 0; i < key.length; i++) {
      h = Math.imul(h ^ key[i]!, 0x01000193);
    }
    // murmur3's finalizer: every input bit reaches every output bit.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    h >>>= 0;
    return h === 0 ? 1 : h;
  }

  /** False: the key was certainly never added. True: it may have been (ask the store). Also true while not ready. */
  mayContain(key: Uint8Array): boolean {
    if (this.state !== 'ready') return true;
    const fp = this.fingerprint(key);
    const slots = this.slots;
    for (let i = fp & this.mask; ; i = (i + 1) & this.mask) {
      const s = slots[i]!;
      if (s === 0) return false;
      if (s === fp) return true;
    }
  }

  add(key: Uint8Array): void {
    if (this.state === 'off') return;
    this.insert(this.fingerprint(key));
  }

  /** Ends the building phase: lookups are answered from memory from now on. */
  markReady(): void {
    if (this.state === 'building') this.state = 'ready';
  }

  /** Gives up (the scan failed, or the set grew too large): every lookup goes to the store. */
  turnOff(): void {
    this.state = 'off';
    this.slots = new Uint32Array(0);
    this.mask = 0;
    this.count = 0;
  }

  private insert(fp: number): void {
    const slots = this.slots;
    for (let i = fp & this.mask; ; i = (i + 1) & this.mask) {
      const s = slots[i]!;
      if (s === fp) return;
      if (s === 0) {
        slots[i] = fp;
        this.count++;
        if (this.count * 2 > slots.length) this.grow();
        return;
      }
    }
  }

  private grow(): void {
    if (this.slots.length >= MAX_SLOTS) {
      this.turnOff();
      return;
    }
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = this.slots.length - 1;
    this.count = 0;
    for (const fp of old) if (fp !== 0) this.insert(fp);
  }
}
