/**
 * The witness's state: for each log (origin) the latest checkpoint it cosigned — its size, its root hash
 * and the note as the monitor retrieval endpoint serves it (the verified log signature lines and the
 * witness's cosignature). One LevelDB (`level`) in `<data>/state`, one record per log:
 *
 *   key    "log " ‖ hex(SHA-256(origin))                 (the origin hash of GET /<origin hash>/checkpoint)
 *   value  JSON {"v":1,"origin","size","root":base64,"checkpoint":note,"cosignedAt":POSIX seconds}
 *
 * Every write is `sync: true`: a size the witness answered 200 for is on disk before the answer leaves,
 * so a crash (kill -9, power loss) can never make it forget a cosigned size and cosign a fork of it.
 * Records are read and checked once at open (a witness follows a handful of logs); a record that does not
 * read back is WITNESS_STATE_CORRUPT and the witness does not start, rather than start from zero.
 */
import { Level } from 'level';
import { fromBase64, sha256, toBase64, toHex, utf8 } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import { parseCheckpoint } from '../checkpoint/index.js';
import { parseNote } from '../note/index.js';

export interface LogState {
  origin: string;
  size: number;
  root: Uint8Array;
  /** The latest cosigned checkpoint: the log's verified lines and the witness's cosignature. */
  checkpoint: string;
  cosignedAt: number;
}

const PREFIX = 'log ';

/** Lowercase hex SHA-256 of an origin: the key of its record and the path of its monitor endpoint. */
export function originHash(origin: string): string {
  return toHex(sha256(utf8(origin)));
}

function corrupt(key: string, why: string, cause?: unknown): CunzhengError {
  return new CunzhengError('WITNESS_STATE_CORRUPT', `witness state record ${JSON.stringify(key.slice(0, 80))}: ${why}`, { details: { key: key.slice(0, 80) }, cause });
}

function decode(key: string, value: string): LogState {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(value) as Record<string, unknown>;
  } catch (cause) {
    throw corrupt(key, 'not JSON', cause);
  }
  if (o === null || typeof o !== 'object' || o.v !== 1) throw corrupt(key, 'not a version 1 record');
  const { origin, size, root, checkpoint, cosignedAt } = o;
  if (typeof origin !== 'string' || key !== PREFIX + originHash(origin)) throw corrupt(key, 'its origin does not match its key');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw corrupt(key, 'bad size');
  if (typeof cosignedAt !== 'number' || !Number.isSafeInteger(cosignedAt) || cosignedAt < 0) throw corrupt(key, 'bad cosignedAt');
  if (typeof checkpoint !== 'string') throw corrupt(key, 'no checkpoint');
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(root, 32, 'root');
    const cp = parseCheckpoint(parseNote(checkpoint).text);
    if (cp.origin !== origin || cp.treeSize !== size || toBase64(cp.rootHash) !== root) throw new Error('checkpoint differs from the record');
  } catch (cause) {
    throw corrupt(key, `its checkpoint does not match its size and root (${(cause as Error).message})`, cause);
  }
  return { origin, size, root: rootHash, checkpoint, cosignedAt };
}

export class WitnessState {
  private constructor(
    private readonly db: Level<string, string>,
    private readonly byHash: Map<string, LogState>,
  ) {}

  /** Opens (creating) the state in `dir`. A second process on it is WITNESS_STATE_LOCKED. */
  static async open(dir: string): Promise<WitnessState> {
    const db = new Level<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    try {
      await db.open();
    } catch (e) {
      const code = (e as { cause?: { code?: string } }).cause?.code;
      if (code === 'LEVEL_LOCKED') throw new CunzhengError('WITNESS_STATE_LOCKED', `the witness state ${dir} is in use by another process`, { cause: e });
      throw new CunzhengError('WITNESS_STATE_OPEN_FAILED', `cannot open the witness state in ${dir}: ${(e as Error).message}`, { cause: e });
    }
    const byHash = new Map<string, LogState>();
    try {
      for await (const [key, value] of db.iterator()) {
        if (!key.startsWith(PREFIX)) throw corrupt(key, 'unknown record');
        byHash.set(key.slice(PREFIX.length), decode(key, value));
      }
    } catch (e) {
      await db.close();
      throw e;
    }
    return new WitnessState(db, byHash);
  }

  /** The latest cosigned state of `origin`, or undefined when it never cosigned one. */
  get(origin: string): LogState | undefined {
    return this.byHash.get(originHash(origin));
  }

  /** The latest cosigned state by origin hash (lowercase hex), for monitor retrieval. */
  byOriginHash(hash: string): LogState | undefined {
    return this.byHash.get(hash);
  }

  /** Every log with a cosigned checkpoint. */
  all(): LogState[] {
    return [...this.byHash.values()];
  }

  /** Persists `s` (synced) and only then makes it the state in memory. */
  async put(s: LogState): Promise<void> {
    const hash = originHash(s.origin);
    const value = JSON.stringify({ v: 1, origin: s.origin, size: s.size, root: toBase64(s.root), checkpoint: s.checkpoint, cosignedAt: s.cosignedAt });
    await this.db.put(PREFIX + hash, value, { sync: true });
    this.byHash.set(hash, { ...s, root: s.root.slice() });
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
