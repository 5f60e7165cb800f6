/**
 * A read-only check of LevelDB's write-ahead logs (`*.log` in the store directory), run before LevelDB
 * opens the store. LevelDB's own recovery does not refuse a damaged log: with paranoid checks off (and
 * classic-level does not expose them) it drops the damaged block — 32 KiB, often holding the batches of
 * acknowledged deposits — then replays what follows and deletes the log. What it would drop, this finds
 * first, so the store is refused while the evidence is still on disk.
 *
 * The log format (LevelDB doc/log_format.md): 32 KiB blocks of records `crc32c (4, masked) ‖ length (2,
 * little-endian) ‖ type (1) ‖ payload`; types FULL=1, FIRST=2, MIDDLE=3, LAST=4 fragment one batch; a
 * block's last 6 bytes or fewer are padding, skipped unread. Like LevelDB's reader, a record cut short by the end
 * of the file is the torn tail of a write that never returned (never acknowledged) and is not a problem;
 * zero-filled space is skipped. Anything LevelDB would report as a corruption is a problem here.
 *
 * What no log check can tell apart: damage to the last record that makes it look cut short. That record
 * held the newest acknowledged group; the signed-checkpoint record (signed-record.ts) catches its loss.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { crc32c } from './crc32c.js';

const BLOCK = 32 * 1024;
const HEADER = 7;
const FULL = 1;
const FIRST = 2;
const MIDDLE = 3;
const LAST = 4;
const MASK_DELTA = 0xa282ead8;
/** A WriteBatch starts with its sequence number (8) and count (4). */
const BATCH_HEADER = 12;

export interface WalProblem {
  file: string;
  /** Byte offset of the damaged record in the file. */
  offset: number;
  reason: string;
}

function unmask(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

/** The problems in one log file's bytes (at most `max`). */
export function checkLogBytes(file: string, data: Uint8Array, max = 20): WalProblem[] {
  const problems: WalProblem[] = [];
  const report = (offset: number, reason: string): void => {
    if (problems.length < max) problems.push({ file, offset, reason });
  };
  let fragmentStart = -1; // offset of the FIRST of the batch being assembled
  let fragmentLength = 0;
  for (let block = 0; block < data.length; block += BLOCK) {
    const end = Math.min(block + BLOCK, data.length);
    let at = block;
    while (end - at >= HEADER) {
      const length = data[at + 4]! | (data[at + 5]! << 8);
      const type = data[at + 6]!;
      if (at + HEADER + length > end) {
        // Past the block: the file's torn tail when the file ends here, else a damaged length.
        if (end === data.length) return problems;
        report(at, `bad record length ${length}`);
        break;
      }
      if (type === 0 && length === 0) break; // zero-filled: the rest of the block is skipped, as LevelDB does
      const stored = (data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0;
      if (crc32c(data, at + 6, at + HEADER + length) !== unmask(stored)) {
        report(at, 'checksum mismatch');
        break; // LevelDB drops the rest of the block
      }
      switch (type) {
        case FULL:
          if (fragmentStart >= 0) report(fragmentStart, 'partial record without end');
          if (length < BATCH_HEADER) report(at, 'log record too small');
          fragmentStart = -1;
          break;
        case FIRST:
          if (fragmentStart >= 0) report(fragmentStart, 'partial record without end');
          fragmentStart = at;
          fragmentLength = length;
          break;
        case MIDDLE:
        case LAST:
          if (fragmentStart < 0) {
            report(at, `missing start of fragmented record (type ${type})`);
          } else {
            fragmentLength += length;
            if (type === LAST) {
              if (fragmentLength < BATCH_HEADER) report(fragmentStart, 'log record too small');
              fragmentStart = -1;
            }
          }
          break;
        default:
          report(at, `unknown record type ${type}`);
          fragmentStart = -1;
      }
      at += HEADER + length;
    }
    // Fewer than 7 bytes left in a block are the writer's padding, which LevelDB skips unread.
  }
  // A FIRST without its LAST at the end of the file: the writer died mid-batch; LevelDB ignores it too.
  return problems;
}

/** Checks every `*.log` file of the LevelDB store in `dir` (a missing directory has none). */
export async function checkWriteAheadLogs(dir: string): Promise<WalProblem[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const problems: WalProblem[] = [];
  for (const name of names.filter((n) => /^\d+\.log$/.test(n)).sort()) {
    problems.push(...checkLogBytes(name, await fs.readFile(join(dir, name))));
  }
  return problems;
}
