/**
 * The package's manifest, sums files and roots: the roots equal a naive recursive RFC 6962 MTH written here
 * (SHA-256 and SM3) and src/merkle's CompactRange, for every size 1…128 and a few beyond and for random file sets; the sums
 * text is checked by the real coreutils `sha256sum -c`; the manifest reads back what was written, and a
 * hostile one is refused with EVIDENCE_MALFORMED.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/index.js';
import { CompactRange, hashLeaf } from '../../src/merkle/index.js';
import { classifyPath, exhibitLabel, exhibitPaths, isPackagePath } from '../../src/evidence/layout.js';
import { MANIFEST_FORMAT, manifestJson, parseManifest, sumsLines, sumsText, type Manifest, type ManifestFile } from '../../src/evidence/manifest.js';
import { linesRoot, packageRoots } from '../../src/evidence/tree.js';

const h = (alg: 'sha256' | 'sm3', ...parts: (Uint8Array | string)[]): Buffer => {
  const x = createHash(alg);
  for (const p of parts) x.update(p);
  return x.digest();
};

/** RFC 6962 §2.1 MTH, recursively: k is the largest power of two smaller than n. */
function mth(alg: 'sha256' | 'sm3', leaves: string[]): Buffer {
  if (leaves.length === 1) return h(alg, Buffer.from([0]), leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return h(alg, Buffer.from([1]), mth(alg, leaves.slice(0, k)), mth(alg, leaves.slice(k)));
}

const fileOf = (path: string, content: string): ManifestFile => ({
  path, size: Buffer.byteLength(content), sha256: h('sha256', content).toString('hex'), sm3: h('sm3', content).toString('hex'),
});

describe('package roots', () => {
  it('are the RFC 6962 tree hash of the sums lines, SHA-256 and SM3, for 1…128, 255, 256, 257 and 300 leaves', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${h('sha256', String(i)).toString('hex')}  exhibits/E${String(i + 1).padStart(3, '0')}.receipt.json\n`);
    for (const n of [...Array.from({ length: 128 }, (_, i) => i + 1), 255, 256, 257, 300]) {
      const some = lines.slice(0, n);
      expect(linesRoot(some, 'sha256')).toBe(mth('sha256', some).toString('hex'));
      expect(linesRoot(some, 'sm3')).toBe(mth('sm3', some).toString('hex'));
      const range = CompactRange.empty();
      for (const l of some) range.append(hashLeaf(new TextEncoder().encode(l)));
      expect(linesRoot(some, 'sha256')).toBe(toHex(range.root()));
    }
  });

  it('over random file sets: sorted lines, the manifest read back, the naive roots', () => {
    const name = fc.oneof(
      fc.integer({ min: 1, max: 99_999 }).map((i) => exhibitPaths(exhibitLabel(i - 1, 99_999)).receipt),
      fc.integer({ min: 1, max: 999 }).map((i) => exhibitPaths(exhibitLabel(i - 1, 999)).certificate),
      fc.constantFrom('README.txt', 'exhibits.pdf', 'log/checkpoint.txt', 'log/consistency.json', 'log/verifier-keys.txt', 'tsa-roots.pem', 'verifier.html'),
    );
    fc.assert(fc.property(fc.uniqueArray(fc.tuple(name, fc.string()), { minLength: 1, maxLength: 40, selector: (t) => t[0] }), (set) => {
      const files = set.map(([p, c]) => fileOf(p, c));
      const lines = sumsLines(files, 'sha256');
      const paths = lines.map((l) => l.slice(66, -1));
      expect(paths).toEqual([...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
      const roots = packageRoots(files);
      expect(roots.sha256).toBe(mth('sha256', lines).toString('hex'));
      expect(roots.sm3).toBe(mth('sm3', sumsLines(files, 'sm3')).toString('hex'));
      const m: Manifest = { format: MANIFEST_FORMAT, title: '商业秘密 "案"', time: '2026-12-04T08:00:00.000Z', exhibits: 2, files: [...files].sort((a, b) => (a.path < b.path ? -1 : 1)), roots };
      expect(parseManifest(new TextEncoder().encode(manifestJson(m)))).toEqual(m);
    }), { numRuns: 200 });
  });
});

describe('SHA256SUMS', () => {
  it('is checked by coreutils sha256sum -c, and a changed byte fails it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-sums-'));
    try {
      const contents: [string, string][] = [['README.txt', '证据包\n'], ['exhibits/E001.receipt.json', '{}'], ['log/checkpoint.txt', 'log\n1\n']];
      for (const [p, c] of contents) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), c);
      }
      writeFileSync(join(dir, 'SHA256SUMS'), sumsText(contents.map(([p, c]) => fileOf(p, c)), 'sha256'));
      const ok = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' });
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout.split('\n').filter(Boolean)).toEqual(['README.txt: OK', 'exhibits/E001.receipt.json: OK', 'log/checkpoint.txt: OK']);
      writeFileSync(join(dir, 'exhibits/E001.receipt.json'), '{ }');
      const bad = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(bad.stdout).toContain('exhibits/E001.receipt.json: FAILED');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the layout', () => {
  it('knows its names and no others', () => {
    expect(classifyPath('exhibits/E042.certificate.pdf')).toEqual({ kind: 'certificate', path: 'exhibits/E042.certificate.pdf', label: 'E042', number: 42, width: 3 });
    expect(exhibitLabel(9_999, 10_000)).toBe('E10000');
    expect(exhibitLabel(0, 10_000)).toBe('E00001');
    for (const p of ['../x', '/README.txt', 'exhibits\\E001.receipt.json', 'exhibits/E000.receipt.json', 'exhibits/E01.receipt.json', 'exhibits/E001.receipt.json/', 'Readme.txt', 'x', 'exhibits/E001.pdf', 'log/../README.txt']) {
      expect(isPackagePath(p), p).toBe(false);
    }
  });
});

describe('parseManifest', () => {
  const good: Manifest = { format: MANIFEST_FORMAT, title: null, time: '2026-12-04T08:00:00.000Z', exhibits: 0, files: [fileOf('README.txt', 'a'), fileOf('log/checkpoint.txt', 'b')], roots: { sha256: '0'.repeat(64), sm3: '1'.repeat(64) } };
  const text = manifestJson(good);
  it.each([
    ['unsorted files', text.replace('"README.txt"', '"zz"').replace('"log/checkpoint.txt"', '"README.txt"').replace('"zz"', '"log/checkpoint.txt"')],
    ['a path outside the layout', text.replace('"README.txt"', '"../README.txt"')],
    ['an unknown member', text.replace('"exhibits": 0', '"exhibits": 0, "extra": 1')],
    ['a member twice', text.replace('"exhibits": 0', '"exhibits": 0, "exhibits": 0')],
    ['uppercase hex', text.replace('"0000', '"A000')],
    ['a negative size', text.replace('"size":1', '"size":-1')],
    ['another format', text.replace(MANIFEST_FORMAT, 'x')],
    ['not JSON', '{'],
    ['no files', text.replace(/"files": \[[\s\S]*?\]/, '"files": []')],
  ])('refuses %s', (_what, bad) => {
    expect(() => parseManifest(new TextEncoder().encode(bad))).toThrow(expect.objectContaining({ code: 'EVIDENCE_MALFORMED' }));
  });
  it('reads the good one', () => {
    expect(parseManifest(new TextEncoder().encode(text))).toEqual(good);
  });
});
