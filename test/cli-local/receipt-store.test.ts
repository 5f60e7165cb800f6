/** receipt-store: receipts are never lost or overwritten — history names, shortened names, the rescue folder. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isReceiptFileName } from '../../cli/local/receipt-files.js';
import { documentForShortReceipt, keepPreviousReceipt, locateReceipt, nameHash, saveReceipt, shortReceiptPath, versionPath } from '../../cli/local/receipt-store.js';
import { tempDir } from './helpers.js';
import { fileURLToPath } from 'node:url';

const base = tempDir('cunzheng-receipt-store-');
let n = 0;
const fresh = (): string => {
  const d = join(base, `t${n++}`);
  mkdirSync(d);
  return d;
};

describe('names', () => {
  it('shortens a long receipt name to a prefix cut on a character boundary and a hash of the full name', () => {
    const name = `${'配'.repeat(80)}.txt`; // 244 bytes
    const short = basename(shortReceiptPath(`/d/${name}.receipt.json`));
    expect(short).toBe(`${'配'.repeat(33)}~${nameHash(name)}.receipt.json`); // 99 bytes of 配, not half of one
    expect(Buffer.byteLength(short)).toBeLessThanOrEqual(130);
    expect(nameHash(name)).toMatch(/^[0-9a-f]{16}$/);
    expect(shortReceiptPath(`/d/${name}x.receipt.json`)).not.toBe(shortReceiptPath(`/d/${name}.receipt.json`));
  });

  it('names history files so that no document can have the same receipt name', () => {
    expect(versionPath('/d/plan.txt.receipt.json', 3)).toBe('/d/plan.txt.receipt.v3.json');
    for (const name of ['plan.txt.receipt.v3.json', '.cunzheng-0123456789ab.receipt.tmp', 'x~0123456789abcdef.receipt.json']) {
      expect(isReceiptFileName(name), name).toBe(true);
    }
    expect(isReceiptFileName('plan.v1')).toBe(false);
  });
});

describe('keepPreviousReceipt', () => {
  it('keeps the current receipt as v1, then v2, never overwriting one', async () => {
    const d = fresh();
    const current = join(d, 'a.txt.receipt.json');
    writeFileSync(current, 'first');
    expect(await keepPreviousReceipt(current)).toBe(join(d, 'a.txt.receipt.v1.json'));
    writeFileSync(join(d, 'tmp'), 'second');
    // The current receipt is replaced by a rename, as writeReceiptAtomic does: the history link keeps the old one.
    const { renameSync } = await import('node:fs');
    renameSync(join(d, 'tmp'), current);
    expect(await keepPreviousReceipt(current)).toBe(join(d, 'a.txt.receipt.v2.json'));
    expect(readFileSync(join(d, 'a.txt.receipt.v1.json'), 'utf8')).toBe('first');
    expect(readFileSync(join(d, 'a.txt.receipt.v2.json'), 'utf8')).toBe('second');
  });
});

describe('saveReceipt and locateReceipt', () => {
  const text = readFileSync(fileURLToPath(new URL('../../fixtures/receipts/battery-formula-v1.txt.receipt.json', import.meta.url)), 'utf8');
  const id = (JSON.parse(text) as { id: string }).id;

  it('writes beside the file when it can, and finds it there', async () => {
    const d = fresh();
    const wanted = join(d, 'a.txt.receipt.json');
    expect(await saveReceipt(wanted, id, text, false, join(d, 'rescue'))).toEqual({ path: wanted, where: 'beside' });
    expect((await locateReceipt(wanted))?.path).toBe(wanted);
  });

  it('uses the shortened name when the normal one is too long, and locateReceipt finds it from the normal name', async () => {
    const d = fresh();
    const wanted = join(d, `${'x'.repeat(250)}.receipt.json`);
    const saved = await saveReceipt(wanted, id, text, false, join(d, 'rescue'));
    expect(saved.where).toBe('shortened');
    expect(saved.path).toBe(shortReceiptPath(wanted));
    expect((await locateReceipt(wanted))?.path).toBe(shortReceiptPath(wanted));
    writeFileSync(join(d, 'x'.repeat(250)), 'the document');
    writeFileSync(join(d, `${'x'.repeat(251)}`), 'a document with the same prefix');
    expect(await documentForShortReceipt(saved.path!)).toBe(join(d, 'x'.repeat(250)));
    expect(await documentForShortReceipt(wanted)).toBeUndefined();
  });

  it('falls back to the rescue folder, then to nowhere, and never throws', async () => {
    const d = fresh();
    writeFileSync(join(d, 'file'), 'x');
    const wanted = join(d, 'file', 'a.txt.receipt.json');
    const rescued = await saveReceipt(wanted, id, text, false, join(d, 'rescue'));
    expect(rescued).toMatchObject({ where: 'rescued', path: join(d, 'rescue', `${id}.receipt.json`) });
    expect(readFileSync(rescued.path!, 'utf8')).toBe(text);
    const nowhere = await saveReceipt(wanted, id, text, false, join(d, 'file', 'rescue'));
    expect(nowhere.where).toBe('nowhere');
    expect(nowhere.reason).toContain('ENOTDIR');
  });

  it('keeps the previous receipt in the history before replacing it', async () => {
    const d = fresh();
    const wanted = join(d, 'a.txt.receipt.json');
    writeFileSync(wanted, 'old receipt');
    const saved = await saveReceipt(wanted, id, text, true, join(d, 'rescue'));
    expect(saved).toEqual({ path: wanted, where: 'beside', previous: join(d, 'a.txt.receipt.v1.json') });
    expect(readFileSync(join(d, 'a.txt.receipt.v1.json'), 'utf8')).toBe('old receipt');
    expect(readFileSync(wanted, 'utf8')).toBe(text);
  });
});
