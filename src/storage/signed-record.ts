/**
 * The signed-checkpoint record: the newest checkpoint the log has ever released, kept outside LevelDB in
 * `<data>/checkpoint.signed` and fsynced on its own. LevelDB can lose a suffix of its write-ahead log
 * (a torn record, a flipped bit, a restored backup) and reopen as a smaller, self-consistent tree; this
 * file is the independent witness that says how large the tree was when its checkpoint left the process.
 *
 * Two slots of 4 KiB, written alternately with pwrite + fdatasync, so a write torn by a crash leaves the
 * other slot intact. A slot:
 *
 *   magic "CZSIGNED1\n" (10) ‖ sequence (8, big-endian) ‖ note length (2) ‖ note (UTF-8) ‖ SHA-256 of all before (32)
 *
 * The note is the signed checkpoint itself, so the record is self-verifying: whoever reads it checks the
 * log key's signature, not only the checksum.
 */
import { constants, promises as fs } from 'node:fs';
import { CunzhengError } from '../errors.js';
import { sha256, bytesEqual, utf8 } from '../crypto/index.js';
import { readUint64, writeUint64 } from './keys.js';

const MAGIC = utf8('CZSIGNED1\n');
const SLOT = 4096;
const HEADER = MAGIC.length + 8 + 2;
const MAX_NOTE = SLOT - HEADER - 32;

export interface SignedRecordValue {
  sequence: number;
  /** The signed checkpoint note, exactly as released. */
  note: string;
}

function encodeSlot(sequence: number, note: string): Uint8Array {
  const body = utf8(note);
  if (body.length > MAX_NOTE) throw new CunzhengError('SIGNED_RECORD_TOO_LARGE', `a checkpoint of ${body.length} bytes does not fit the record (${MAX_NOTE})`);
  const slot = new Uint8Array(SLOT);
  slot.set(MAGIC, 0);
  writeUint64(slot, MAGIC.length, sequence);
  slot[MAGIC.length + 8] = body.length >>> 8;
  slot[MAGIC.length + 9] = body.length & 0xff;
  slot.set(body, HEADER);
  slot.set(sha256(slot.subarray(0, HEADER + body.length)), HEADER + body.length);
  return slot;
}

/** A slot's value, or undefined when it is empty, torn or damaged (its checksum does not match). */
function decodeSlot(slot: Uint8Array): SignedRecordValue | undefined {
  if (slot.length < HEADER + 32 || !bytesEqual(slot.subarray(0, MAGIC.length), MAGIC)) return undefined;
  const length = (slot[MAGIC.length + 8]! << 8) | slot[MAGIC.length + 9]!;
  if (length > MAX_NOTE) return undefined;
  const sum = slot.subarray(HEADER + length, HEADER + length + 32);
  if (!bytesEqual(sha256(slot.subarray(0, HEADER + length)), sum)) return undefined;
  let note: string;
  try {
    note = new TextDecoder('utf-8', { fatal: true }).decode(slot.subarray(HEADER, HEADER + length));
  } catch {
    return undefined;
  }
  return { sequence: readUint64(slot, MAGIC.length), note };
}

/** The newer intact slot of a record file's bytes, or undefined when neither is intact. */
function pick(data: Uint8Array): SignedRecordValue | undefined {
  const a = decodeSlot(data.subarray(0, Math.min(data.length, SLOT)));
  const b = data.length > SLOT ? decodeSlot(data.subarray(SLOT, 2 * SLOT)) : undefined;
  return a === undefined ? b : b === undefined ? a : a.sequence >= b.sequence ? a : b;
}

export class SignedRecord {
  private constructor(private readonly fh: fs.FileHandle, readonly path: string, private value: SignedRecordValue | undefined) {}

  /**
   * Opens the record at `path`. `create`: make it when there is none (the caller then writes it at once).
   * A file that exists but holds no valid slot is refused (SIGNED_RECORD_CORRUPT): it once held one.
   */
  static async open(path: string, create: boolean): Promise<SignedRecord> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(path, constants.O_RDWR | (create ? constants.O_CREAT : 0), 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new CunzhengError('SIGNED_RECORD_MISSING', `the record of the newest signed checkpoint (${path}) is missing, but this ledger has one: it was deleted or the data directory is incomplete`);
      }
      throw new CunzhengError('SIGNED_RECORD_UNREADABLE', `cannot open ${path}: ${(e as Error).message}`, { cause: e });
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new CunzhengError('SIGNED_RECORD_CORRUPT', `${path} is not a regular file`);
      const buf = new Uint8Array(2 * SLOT);
      const { bytesRead } = await fh.read(buf, 0, 2 * SLOT, 0);
      if (bytesRead === 0 && create) return new SignedRecord(fh, path, undefined);
      const value = pick(buf.subarray(0, bytesRead));
      if (value === undefined) throw new CunzhengError('SIGNED_RECORD_CORRUPT', `${path} holds no intact record of a signed checkpoint`);
      return new SignedRecord(fh, path, value);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** The newest released checkpoint, or undefined for a record just created. */
  get current(): SignedRecordValue | undefined {
    return this.value;
  }

  /** Records `note` as the newest released checkpoint: durable when this resolves. */
  async write(note: string): Promise<void> {
    const sequence = (this.value?.sequence ?? 0) + 1;
    const slot = encodeSlot(sequence, note);
    await this.fh.write(slot, 0, SLOT, (sequence % 2) * SLOT);
    await this.fh.datasync();
    this.value = { sequence, note };
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** Reads the record without opening it for writing (fsck): undefined when there is none. */
export async function readSignedRecord(path: string): Promise<SignedRecordValue | undefined> {
  let data: Uint8Array;
  try {
    data = await fs.readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const value = pick(data);
  if (value === undefined) throw new CunzhengError('SIGNED_RECORD_CORRUPT', `${path} holds no intact record of a signed checkpoint`);
  return value;
}
