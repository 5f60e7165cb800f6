import { mkdirSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { hashFile } from '../../cli/local/hash-file.js';
import {
  isReceiptFileName, needsDeposit, planDeposit, readExistingReceipt, receiptConflicts, receiptPath, writeReceiptAtomic,
} from '../../cli/local/receipt-files.js';
import { MAX_RECEIPT_BYTES, formatReceipt, parseReceipt } from '../../src/receipt/index.js';
import { codeOf, tempDir } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const receiptV1Path = `${FIXTURES}receipts/battery-formula-v1.txt.receipt.json`;
const receiptV1 = parseReceipt(readFileSync(receiptV1Path));
const dir = tempDir('cunzheng-receipts-');
let counter = 0;
const fresh = (): string => {
  const d = join(dir, `t${counter++}`);
  mkdirSync(d);
  return d;
};

describe('when the receipt path of a file is asked for', () => {
  const file = { path: '/work/docs/研发/plan.txt', relative: '研发/plan.txt' };

  it('puts it beside the file by default', () => {
    expect(receiptPath(file)).toBe('/work/docs/研发/plan.txt.receipt.json');
  });

  it('mirrors the relative path under --out', () => {
    expect(receiptPath(file, { outDir: '/tmp/out' })).toBe('/tmp/out/研发/plan.txt.receipt.json');
  });

  it('rejects a relative path that would escape the output folder', async () => {
    for (const relative of ['../x', 'a/../../x', '/abs', 'a//b', '.', '']) {
      expect(await codeOf(() => receiptPath({ path: '/x', relative }, { outDir: '/tmp/out' }))).toBe('RECEIPT_FILE_PATH_INVALID');
    }
  });

  it('finds files from different roots that would share a receipt under --out', () => {
    const files = [
      { path: '/a/x.txt', relative: 'x.txt' },
      { path: '/b/x.txt', relative: 'x.txt' },
      { path: '/a/y.txt', relative: 'y.txt' },
    ];
    expect(receiptConflicts(files, { outDir: '/out' })).toEqual([{ receipt: '/out/x.txt.receipt.json', files: ['/a/x.txt', '/b/x.txt'] }]);
    expect(receiptConflicts(files)).toEqual([]);
  });

  it('recognises receipts and interrupted writes by name', () => {
    expect(isReceiptFileName('a.txt.receipt.json')).toBe(true);
    expect(isReceiptFileName('.a.txt.receipt.json.0123456789ab.tmp')).toBe(true);
    expect(isReceiptFileName('receipt.json')).toBe(false);
    expect(isReceiptFileName('a.receipt.json.bak')).toBe(false);
  });
});

describe('when an existing receipt is read', () => {
  it('returns undefined when there is none', async () => {
    expect(await readExistingReceipt(join(fresh(), 'none.receipt.json'))).toBeUndefined();
    expect(await readExistingReceipt(join(fresh(), 'no-folder', 'x.receipt.json'))).toBeUndefined();
  });

  it('parses a valid receipt', async () => {
    expect(await readExistingReceipt(receiptV1Path)).toEqual(receiptV1);
  });

  it('rejects a damaged receipt with the parser code, so it is never silently replaced', async () => {
    const d = fresh();
    writeFileSync(join(d, 'bad.receipt.json'), '{"format": "cunzheng/receipt/v1", ');
    expect(await codeOf(readExistingReceipt(join(d, 'bad.receipt.json')))).toBe('RECEIPT_MALFORMED');
  });

  it('rejects an oversized file without reading it', async () => {
    const path = join(fresh(), 'huge.receipt.json');
    writeFileSync(path, '');
    truncateSync(path, MAX_RECEIPT_BYTES + 1);
    expect(await codeOf(readExistingReceipt(path))).toBe('RECEIPT_TOO_LARGE');
  });

  it('rejects a folder in the receipt\'s place with RECEIPT_FILE_UNREADABLE', async () => {
    const path = join(fresh(), 'dir.receipt.json');
    mkdirSync(path);
    expect(await codeOf(readExistingReceipt(path))).toBe('RECEIPT_FILE_UNREADABLE');
  });
});

describe('when a receipt is written', () => {
  const text = formatReceipt(receiptV1);
  const umask = process.umask();
  afterEach(() => {
    process.umask(umask);
  });

  it('creates missing folders and writes the exact text with mode 0644 whatever the umask', async () => {
    process.umask(0o077);
    const path = join(fresh(), 'out', '研发', 'plan.txt.receipt.json');
    await writeReceiptAtomic(path, text);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(statSync(path).mode % 0o1000).toBe(0o644);
    expect(await readExistingReceipt(path)).toEqual(receiptV1);
  });

  it('replaces an older receipt whole and leaves no temporary file', async () => {
    const d = fresh();
    const path = join(d, 'a.txt.receipt.json');
    await writeReceiptAtomic(path, 'old\n');
    await writeReceiptAtomic(path, new TextEncoder().encode(text));
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(readdirSync(d)).toEqual(['a.txt.receipt.json']);
  });

  it('fails with RECEIPT_FILE_WRITE_FAILED when the folder cannot be made, leaving nothing behind', async () => {
    const d = fresh();
    writeFileSync(join(d, 'file'), 'not a folder');
    expect(await codeOf(writeReceiptAtomic(join(d, 'file', 'x.receipt.json'), text))).toBe('RECEIPT_FILE_WRITE_FAILED');
    const target = join(d, 'target.receipt.json');
    mkdirSync(target);
    expect(await codeOf(writeReceiptAtomic(target, text))).toBe('RECEIPT_FILE_WRITE_FAILED');
    expect(readdirSync(d).sort()).toEqual(['file', 'target.receipt.json']);
  });
});

describe('when a file is compared with its receipt', () => {
  const v1 = `${FIXTURES}documents/battery-formula-v1.txt`;
  const v2 = `${FIXTURES}documents/battery-formula-v2.txt`;

  it('is unchanged when the digests are the receipt entry\'s', async () => {
    const digest = await hashFile(v1);
    expect(needsDeposit(digest, receiptV1)).toBe('unchanged');
    expect(planDeposit(digest, receiptV1)).toEqual({ status: 'unchanged', id: receiptV1.id });
    expect(needsDeposit({ sha256: digest.sha256.toUpperCase() }, receiptV1)).toBe('unchanged');
  });

  it('is changed when the file differs, the old receipt\'s id becoming prev', async () => {
    expect(planDeposit(await hashFile(v2), receiptV1)).toEqual({ status: 'changed', prev: receiptV1.id });
  });

  it('is changed when SHA-256 agrees but SM3 does not', async () => {
    const digest = await hashFile(v1);
    expect(needsDeposit({ sha256: digest.sha256, sm3: '0'.repeat(64) }, receiptV1)).toBe('changed');
  });

  it('is new without a receipt', async () => {
    expect(planDeposit(await hashFile(v1), undefined)).toEqual({ status: 'new' });
  });

  it('rejects a receipt whose entry bytes are not a valid entry', async () => {
    const broken = { ...receiptV1, entry: Buffer.from('{"v":2}').toString('base64') };
    expect(await codeOf(() => needsDeposit({ sha256: '0'.repeat(64) }, broken))).toMatch(/^ENTRY_/);
  });
});
