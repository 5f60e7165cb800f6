/**
 * A shadow of a LevelDB directory, for opening a store without changing it. Tables (`*.ldb`, `*.sst`)
 * are immutable once LevelDB has written them, so they are hard-linked when the file system allows it
 * (LevelDB's later unlink of a link leaves the original alone); the files LevelDB rewrites or replays —
 * logs, the manifest, CURRENT — are copied. The lock and the info log are not taken over.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NOT_COPIED = /^(LOCK|LOG|LOG\.old)$/;
const TABLE = /\.(ldb|sst)$/;

export async function makeShadow(dir: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const names = await fs.readdir(dir);
  const shadow = await fs.mkdtemp(join(tmpdir(), 'cunzheng-shadow-'));
  const remove = (): Promise<void> => fs.rm(shadow, { recursive: true, force: true });
  try {
    for (const name of names) {
      if (NOT_COPIED.test(name)) continue;
      const from = join(dir, name);
      const to = join(shadow, name);
      if (!(await fs.lstat(from)).isFile()) continue;
      if (TABLE.test(name)) {
        try {
          await fs.link(from, to);
          continue;
        } catch {
          // another file system, or links not allowed: copy it
        }
      }
      await fs.copyFile(from, to);
    }
  } catch (e) {
    await remove();
    throw e;
  }
  return { dir: shadow, remove };
}
