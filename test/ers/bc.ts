/**
 * Runs BouncyCastle's RFC 4998 check (Check.java, a single-file Java source, against Debian's
 * libbcprov-java, libbcpkix-java and libbcutil-java) on a record, a data object and a TSA certificate.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const BC_JARS = ['bcprov', 'bcpkix', 'bcutil'].map((j) => `/usr/share/java/${j}.jar`);
const CHECK = join(process.cwd(), 'test/ers/Check.java');

/** The jars that are missing (the test asserts none is). */
export function missingJars(): string[] {
  return BC_JARS.filter((jar) => !existsSync(jar));
}

/** BouncyCastle's verdict on `record` for `data` under the TSA certificate in `certFile` (PEM): "ok" or "fail: …". */
export async function bouncyCastle(record: Uint8Array, data: Uint8Array, certFile: string): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'ers-bc-'));
  try {
    writeFileSync(join(work, 'record.der'), record);
    writeFileSync(join(work, 'data'), data);
    try {
      const { stdout } = await run('java', ['-cp', BC_JARS.join(':'), CHECK, join(work, 'record.der'), join(work, 'data'), certFile], { timeout: 120_000 });
      return stdout.trim();
    } catch (err) {
      const e = err as { stdout?: string };
      if (e.stdout?.startsWith('fail:')) return e.stdout.trim();
      throw err;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
