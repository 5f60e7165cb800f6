/**
 * The package's zip past the classic format's limits: 66,000 entries need zip64's end records (more than
 * 65,535). PackageZipWriter writes them (yazl switches by itself), zipEntries reads every one back with its
 * bytes, and Info-ZIP `unzip -t` agrees.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { PackageZipWriter, zipEntries } from '../../src/evidence/index.js';

describe('the package zip', () => {
  it('holds 66,000 entries (zip64), read back whole by yauzl and by unzip', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-zip64-'));
    try {
      const path = join(dir, 'many.zip');
      const w = new PackageZipWriter(Date.UTC(2026, 11, 4));
      const done = pipeline(w.stream, createWriteStream(path));
      const n = 66_000;
      for (let i = 0; i < n; i++) await w.add(`exhibits/E${String(i + 1).padStart(5, '0')}.receipt.json`, new TextEncoder().encode(String(i)), false);
      w.end();
      await done;
      let count = 0;
      for await (const e of zipEntries(path)) {
        if (count % 9_999 === 0) expect(new TextDecoder().decode(await e.read(100))).toBe(String(count));
        count++;
      }
      expect(count).toBe(n);
      const t = spawnSync('unzip', ['-tq', path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(t.status, t.stderr).toBe(0);
      expect(t.stdout).toContain('No errors detected');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
