/**
 * The evidence package from the library: built from a service's real receipts, it verifies offline under the
 * log key; coreutils `sha256sum -c` and Info-ZIP `unzip -t` accept it; its roots are the naive RFC 6962 MTH of
 * SHA256SUMS/SM3SUMS and the package's own deposit is of them; the same inputs give the same bytes; and each
 * kind of tampering fails with its code (checkPackage never throws on a hostile zip).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigner, parseVerifierKey } from '../../src/note/index.js';
import { fromBase64, sha256, sm3, toHex, utf8 } from '../../src/crypto/index.js';
import { parseEntry } from '../../src/entry/index.js';
import { parseReceipt } from '../../src/receipt/index.js';
import { manifestJson, packageRoots, parseManifest, sumsText, type PackageTrust } from '../../src/evidence/index.js';
import { buildTo, inputFrom, openFixture, type Fixture } from './helpers.js';
import { checkBytes, checkFile, codesOf, patchDeclaredSize, patchName, readAll, zipOf, type Entries } from './zip-tools.js';

let f: Fixture;
let trust: PackageTrust;
let zipPath: string;
let entries: Entries;

beforeAll(async () => {
  f = await openFixture();
  trust = { keys: [parseVerifierKey(f.vkey)] };
  zipPath = join(f.dir, 'case.zip');
  await buildTo(zipPath, await inputFrom(f, f.receipts));
  entries = await readAll(zipPath);
}, 120_000);
afterAll(async () => f?.close());

const h = (alg: string, ...parts: (Uint8Array | string)[]): Buffer => {
  const x = createHash(alg);
  for (const p of parts) x.update(p);
  return x.digest();
};
function mth(alg: string, leaves: string[]): Buffer {
  if (leaves.length === 1) return h(alg, Buffer.from([0]), leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return h(alg, Buffer.from([1]), mth(alg, leaves.slice(0, k)), mth(alg, leaves.slice(k)));
}
const get = (name: string): Uint8Array => entries.find(([n]) => n === name)![1];
const replaced = (name: string, bytes: Uint8Array): Entries => entries.map(([n, b]) => [n, n === name ? bytes : b]);
/** The entries with the manifest and both sums files made again over them (as a forger would). */
function reManifested(es: Entries): Entries {
  const m = parseManifest(es.find(([n]) => n === 'manifest.json')![1]);
  const files = m.files.map((x) => {
    const b = es.find(([n]) => n === x.path)![1];
    return { path: x.path, size: b.length, sha256: toHex(sha256(b)), sm3: toHex(sm3(b)) };
  });
  const fixed = { ...m, files, roots: packageRoots(files) };
  const out: Entries = es.map(([n, b]) => [n, n === 'manifest.json' ? utf8(manifestJson(fixed)) : n === 'SHA256SUMS' ? utf8(sumsText(files, 'sha256')) : n === 'SM3SUMS' ? utf8(sumsText(files, 'sm3')) : b]);
  return out;
}

describe('an evidence package', () => {
  it('verifies offline under the log key, every part', async () => {
    const r = await checkFile(zipPath, trust);
    expect(codesOf(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.exhibits.map((e) => [e.label, e.kind])).toEqual([['E001', 'deposit'], ['E002', 'deposit'], ['E003', 'classify'], ['E004', 'deposit']]);
    expect(r.title).toBe('（2026）湘01民初123号 商业秘密纠纷');
    expect(entries.map(([n]) => n)).toEqual([
      'README.txt', 'log/verifier-keys.txt', 'log/checkpoint.txt', 'log/consistency.json',
      ...['E001', 'E002', 'E003', 'E004'].flatMap((l) => [`exhibits/${l}.receipt.json`, `exhibits/${l}.certificate.pdf`]),
      'exhibits.pdf', 'manifest.json', 'SHA256SUMS', 'SM3SUMS', 'package.receipt.json',
    ]);
    // Exhibits at different checkpoints: the proofs file holds real proofs.
    const proofs = JSON.parse(new TextDecoder().decode(get('log/consistency.json'))) as { proofs: { from: number; proof: string[] }[] };
    expect(proofs.proofs.length).toBeGreaterThan(1);
    expect(proofs.proofs.some((p) => p.proof.length > 0)).toBe(true);
  });

  it('unzips with Info-ZIP, passes sha256sum -c, and its deposit is of the naive RFC 6962 roots of its sums files', () => {
    const t = spawnSync('unzip', ['-t', zipPath], { encoding: 'utf8' });
    expect(t.status, t.stdout + t.stderr).toBe(0);
    const out = join(f.dir, 'unzipped');
    mkdirSync(out);
    expect(spawnSync('unzip', ['-q', zipPath, '-d', out]).status).toBe(0);
    const c = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' });
    expect(c.status, c.stdout + c.stderr).toBe(0);
    expect(c.stdout.trim().split('\n')).toHaveLength(13);
    const lines = (name: string): string[] => readFileSync(join(out, name), 'utf8').split(/(?<=\n)/);
    const entry = parseEntry(fromBase64(parseReceipt(readFileSync(join(out, 'package.receipt.json'))).entry));
    expect(entry.digest.sha256).toBe(mth('sha256', lines('SHA256SUMS')).toString('hex'));
    expect(entry.digest.sm3).toBe(mth('sm3', lines('SM3SUMS')).toString('hex'));
    expect(entry.meta?.title).toBe('证据包 （2026）湘01民初123号 商业秘密纠纷');
    const readme = readFileSync(join(out, 'README.txt'), 'utf8');
    expect(readme.indexOf('=== 中文 ===')).toBeLessThan(readme.indexOf('=== English ==='));
    expect(readme).toContain('sha256sum -c SHA256SUMS');
  });

  it('is the same bytes when made twice from the same inputs', async () => {
    // The same input object: the log's newest checkpoint moves with every deposit, the package's own included.
    const input = await inputFrom(f, f.receipts);
    const [a, b] = [join(f.dir, 'a.zip'), join(f.dir, 'b.zip')];
    await buildTo(a, input);
    // The second through a caller's exhibit-list maker (a service moves it off its event loop): the same bytes.
    let lists = 0;
    const { makeExhibitList } = await import('../../src/certificate/index.js');
    await buildTo(b, { ...input, exhibitList: (i) => (lists++, makeExhibitList(i)) });
    expect(lists).toBe(1);
    expect(h('sha256', readFileSync(a)).toString('hex')).toBe(h('sha256', readFileSync(b)).toString('hex'));
  });

  it('fails under another key', async () => {
    const other = generateSigner('evidence.example/cunzheng').verifierKey;
    const r = await checkFile(zipPath, { keys: [parseVerifierKey(other)] });
    expect(r.ok).toBe(false);
    expect(r.parts.find((p) => p.part === 'package.receipt.json')?.code).toBe('NOTE_UNVERIFIED');
    expect(r.parts.find((p) => p.part === 'log/checkpoint.txt')?.code).toBe('EVIDENCE_CHECKPOINT_INVALID');
    expect(r.exhibits.every((e) => !e.ok)).toBe(true);
  });
});

describe('a tampered package', () => {
  const cases: [string, () => Entries | Buffer | Promise<Buffer>, string][] = [
    ['a byte of a certificate', () => {
      const pdf = Buffer.from(get('exhibits/E002.certificate.pdf'));
      pdf[pdf.length - 200] = pdf[pdf.length - 200]! ^ 1;
      return replaced('exhibits/E002.certificate.pdf', pdf);
    }, 'EVIDENCE_FILE_MISMATCH'],
    ['a receipt swapped for another valid one', () => replaced('exhibits/E001.receipt.json', f.spare), 'EVIDENCE_FILE_MISMATCH'],
    ['a receipt swapped, manifest and sums made again', () => reManifested(replaced('exhibits/E001.receipt.json', f.spare)), 'EVIDENCE_ROOT_MISMATCH'],
    ['a manifest line', () => replaced('manifest.json', utf8(new TextDecoder().decode(get('manifest.json')).replace(/"size":(\d+)/, (_m, n: string) => `"size":${Number(n) + 1}`))), 'EVIDENCE_FILE_MISMATCH'],
    ['SHA256SUMS', () => replaced('SHA256SUMS', utf8(new TextDecoder().decode(get('SHA256SUMS')).replace('README.txt', 'README.TXT'))), 'EVIDENCE_MANIFEST_MISMATCH'],
    ['an added file', () => [...entries, ['notes.txt', utf8('x')]], 'EVIDENCE_UNLISTED_FILE'],
    ['an added exhibit-shaped file outside the manifest', () => [...entries, ['exhibits/E005.receipt.json', f.spare]], 'EVIDENCE_UNLISTED_FILE'],
    ['a removed file', () => entries.filter(([n]) => n !== 'log/checkpoint.txt'), 'EVIDENCE_MISSING_FILE'],
    ['a removed certificate', () => entries.filter(([n]) => n !== 'exhibits/E003.certificate.pdf'), 'EVIDENCE_MISSING_FILE'],
    ['a ../x entry name', async () => patchName(await zipOf([...entries, ['Q9Q9Q/xy', utf8('x')]]), 'Q9Q9Q/xy', '../Q9/xy'), 'EVIDENCE_BAD_ENTRY_NAME'],
    ['an absolute entry name', async () => patchName(await zipOf([...entries, ['Q9Q9Q9Q9', utf8('x')]]), 'Q9Q9Q9Q9', '/etc/Q9Q'), 'EVIDENCE_BAD_ENTRY_NAME'],
    ['a backslash', async () => patchName(await zipOf([...entries, ['Q9Q9_Q9Q9', utf8('x')]]), 'Q9Q9_Q9Q9', 'Q9Q9\\Q9Q9'), 'EVIDENCE_BAD_ENTRY_NAME'],
    ['a duplicate name', async () => patchName(await zipOf([...entries, ['README.txu', utf8('x')]]), 'README.txu', 'README.txt'), 'EVIDENCE_DUPLICATE_ENTRY'],
    ['a declared size past the bound', async () => patchDeclaredSize(await zipOf(entries), 'README.txt', 0xfffffff0), 'EVIDENCE_TOO_LARGE'],
    ['a declared size smaller than the data', async () => patchDeclaredSize(await zipOf(entries), 'README.txt', 10), 'EVIDENCE_MALFORMED'],
    ['an exhibit list of only some exhibits, manifest and sums made again', async () => {
      const { makeExhibitList } = await import('../../src/certificate/index.js');
      const params = (await import('../../src/certificate/index.js')).readExhibitListParams(get('exhibits.pdf'));
      const short = await makeExhibitList({ lang: params.lang, origin: params.origin, checkpoint: params.checkpoint, exhibits: params.exhibits.slice(1).map((e) => ({ ...e, receipt: get(e.receiptFile) })) });
      return zipOf(reManifested(replaced('exhibits.pdf', short)));
    }, 'EVIDENCE_EXHIBIT_LIST_MISMATCH'],
    ['not a zip', () => Buffer.from('%PDF-1.7 not a zip'), 'EVIDENCE_MALFORMED'],
  ];
  it.each(cases)('%s', async (_what, make, code) => {
    const made = await make();
    const zip = Buffer.isBuffer(made) ? made : await zipOf(made);
    const r = await checkBytes(join(f.dir, 'tampered.zip'), zip, trust);
    expect(r.ok).toBe(false);
    expect(codesOf(r)).toContain(code);
  });

  it('an inconsistent proofs file fails EVIDENCE_INCONSISTENT and nothing else', async () => {
    const input = await inputFrom(f, f.receipts);
    const [size, proof] = [...input.consistency.proofs].find(([, p]) => p.length > 0)!;
    const bad = new Map(input.consistency.proofs);
    bad.set(size, proof.map((x, i) => (i === 0 ? sha256(x) : x)));
    const path = join(f.dir, 'inconsistent.zip');
    await buildTo(path, { ...input, consistency: { ...input.consistency, proofs: bad } });
    const r = await checkFile(path, trust);
    expect(codesOf(r)).toEqual(['EVIDENCE_INCONSISTENT']);
  });

  it('never throws on a zip with random bytes changed', async () => {
    const good = readFileSync(zipPath);
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), async (flips) => {
      const z = Buffer.from(good);
      for (const [at, x] of flips) z[at] = z[at]! ^ x;
      const r = await checkBytes(join(f.dir, 'fuzz.zip'), z, trust);
      expect(typeof r.ok).toBe('boolean');
    }), { numRuns: 25 });
  }, 120_000);
});
