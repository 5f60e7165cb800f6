import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './run-cli.js';

describe('the checked-in fixtures', () => {
  it('are reproduced byte for byte by fixtures/make.mjs (fixed key, nonces and times)', () => {
    const out = mkdtempSync(join(tmpdir(), 'cunzheng-fixtures-'));
    try {
      const r = spawnSync(process.execPath, [join(ROOT, 'fixtures/make.mjs'), out], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const names = readdirSync(join(ROOT, 'fixtures/receipts')).sort();
      expect(readdirSync(out).sort()).toEqual(names);
      for (const n of names) expect(readFileSync(join(out, n), 'utf8'), n).toBe(readFileSync(join(ROOT, 'fixtures/receipts', n), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
