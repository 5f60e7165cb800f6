/**
 * `--policy FILE` for verify and audit: a C2SP tlog-policy file (src/policy/README.md), read as octets
 * through user-file.ts (a FIFO, a device or a file over the parser's 1 MiB is refused). A policy that does
 * not parse is a usage mistake: exit 2, one line naming the file, the code and the line.
 */
import { CunzhengError } from '../src/errors.js';
import { beijingDateTime } from '../src/lifecycle/index.js';
import { POLICY_LIMITS, parsePolicy, type Policy } from '../src/policy/index.js';
import { UsageError } from './exit-codes.js';
import { readUserFile } from './user-file.js';

export function loadPolicy(path: string | undefined): Policy | undefined {
  if (path === undefined) return undefined;
  const bytes = readUserFile(path, '--policy', POLICY_LIMITS.maxBytes);
  try {
    return parsePolicy(bytes);
  } catch (e) {
    if (!(e instanceof CunzhengError)) throw e;
    throw new UsageError(`--policy ${path}: ${e.code}: ${e.message}`);
  }
}

/** A cosignature's POSIX time as ISO UTC and Beijing time (`2026-12-02 16:30:00 +08:00`); null past year 275760. */
export function cosignatureTimes(time: number): { utc: string | null; beijing: string } {
  const ms = time * 1000;
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > 8.64e15) return { utc: null, beijing: `POSIX time ${time}` };
  const utc = new Date(ms).toISOString();
  return { utc, beijing: beijingDateTime(utc) };
}

/** "X1 (witness.example/w1) at 2026-12-02 16:30:00 +08:00", one per cosigner. */
export function describeCosigners(cosigners: readonly { witness: string; keyName: string; time: number }[]): string[] {
  return cosigners.map((c) => `${c.witness} (${c.keyName}) at ${cosignatureTimes(c.time).beijing}`);
}

/** The cosigners as JSON: policy name, key name, POSIX seconds, ISO UTC and Beijing time. */
export function cosignersJson(cosigners: readonly { witness: string; keyName: string; time: number }[]): unknown[] {
  return cosigners.map((c) => {
    const t = cosignatureTimes(c.time);
    return { witness: c.witness, keyName: c.keyName, time: c.time, timeUtc: t.utc, timeBeijing: t.beijing };
  });
}
