/**
 * The two hashing engines of web/shared/hash-core.ts — WebAssembly (hash-wasm) and the portable TypeScript
 * hashes — against node:crypto: random bytes of random sizes, sizes around the 64-byte block and around the
 * 8 MiB slice boundaries, files read through Blob slices as the page reads them, and bytes fed in random cuts.
 */
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHasher, hashBlob, SLICE_BYTES, type HashEngine } from '../../web/shared/hash-core.js';
import { fileFailure } from '../../web/shared/file-failure.js';

const node = (b: Uint8Array): { sha256: string; sm3: string } => ({
  sha256: createHash('sha256').update(b).digest('hex'),
  sm3: createHash('sm3').update(b).digest('hex'),
});
const ENGINES: HashEngine[] = ['wasm', 'portable'];

describe('the browser hashing engines (WebAssembly and portable) against node:crypto', () => {
  it('give node:crypto’s SHA-256 and SM3 around the slice boundaries, read from a Blob in 8 MiB slices', async () => {
    const big = randomBytes(2 * SLICE_BYTES + 130);
    const sizes = [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, SLICE_BYTES - 1, SLICE_BYTES, SLICE_BYTES + 1, SLICE_BYTES + 64, 2 * SLICE_BYTES - 1, 2 * SLICE_BYTES, 2 * SLICE_BYTES + 130];
    for (const n of sizes) {
      const bytes = big.subarray(0, n);
      const want = node(bytes);
      for (const engine of ENGINES) {
        const seen: number[] = [];
        const got = await hashBlob(new Blob([bytes]), ['sha256', 'sm3'], (d) => seen.push(d), undefined, undefined, engine);
        expect(got, `${engine}, ${n} bytes`).toEqual({ ...want, engine });
        // Progress once per slice, ending at the size.
        expect(seen.length, `${engine}, ${n} bytes`).toBe(Math.ceil(n / SLICE_BYTES));
        if (n > 0) expect(seen.at(-1)).toBe(n);
      }
    }
  }, 120_000);

  it('agree with each other and with node:crypto on random bytes fed in random cuts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 5000 }), fc.array(fc.nat(5000), { maxLength: 8 }), async (bytes, cuts) => {
        const want = node(bytes);
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        for (const engine of ENGINES) {
          for (const algorithm of ['sha256', 'sm3'] as const) {
            const { hasher, engine: used } = await createHasher(algorithm, engine);
            expect(used).toBe(engine);
            let from = 0;
            for (const c of [...at, bytes.length]) {
              hasher.update(bytes.subarray(from, c));
              from = c;
            }
            expect(hasher.digestHex(), `${engine} ${algorithm}`).toBe(want[algorithm]);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('hash one algorithm alone when asked, and prefer WebAssembly where it compiles', async () => {
    const bytes = randomBytes(100_000);
    expect(await hashBlob(new Blob([bytes]), ['sm3'])).toEqual({ sm3: node(bytes).sm3, engine: 'wasm' });
    expect(await hashBlob(new Blob([bytes]), ['sha256'], undefined, undefined, undefined, 'portable')).toEqual({ sha256: node(bytes).sha256, engine: 'portable' });
  });

  it('name a file the browser could not read with the CLI\'s code for it', () => {
    const file = new File(['x'], 'a.txt');
    const code = (name: string | undefined): string => fileFailure(file, name, 'm').error.code;
    expect(code('NotFoundError')).toBe('FILE_NOT_FOUND');
    expect(code('NotReadableError')).toBe('FILE_UNREADABLE');
    expect(code('SecurityError')).toBe('FILE_UNREADABLE');
    expect(code('AbortError')).toBe('FILE_READ_FAILED');
    expect(code(undefined)).toBe('FILE_READ_FAILED');
    expect(fileFailure(file, 'NotFoundError', 'gone').error.message).toBe('a.txt: gone');
  });
});
