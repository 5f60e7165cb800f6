import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HASH_CHUNK_BYTES, hashFile, hashFiles, isHashError, type HashProgress, type HashResult } from '../../cli/local/hash-pool.js';
import { walkFiles } from '../../cli/local/walk.js';
import { codeOf, collect, opensslDigest, tempDir, writeTree } from './helpers.js';

const dir = tempDir('cunzheng-hash-');

/** Deterministic bytes that differ from chunk to chunk (so a dropped or repeated chunk changes the digest). */
function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = Math.floor(x / 65536) % 256;
  }
  return out;
}

const few = join(dir, 'few');
writeTree(few, {
  'empty.bin': '',
  'abc.txt': 'abc',
  '研发/配方 😀.txt': '电解液配方：六氟磷酸锂 12.5%\n',
  // 2.5 chunks: the last read is short, and chunk boundaries must not drop or repeat bytes
  'chunks.bin': pattern(2 * HASH_CHUNK_BYTES + HASH_CHUNK_BYTES / 2, 7),
  'exactly-one-chunk.bin': pattern(HASH_CHUNK_BYTES, 8),
});
const fewFiles = ['empty.bin', 'abc.txt', '研发/配方 😀.txt', 'chunks.bin', 'exactly-one-chunk.bin'].map((f) => join(few, ...f.split('/')));

function digestsOf(results: HashResult[]): { path: string; sha256: string; sm3: string; size: number }[] {
  return results.map((r) => {
    if (isHashError(r)) throw r.error;
    return r;
  });
}

describe('when files are hashed', () => {
  it('agrees with `openssl dgst -sha256` and `openssl dgst -sm3`, in the pool and on this thread', async () => {
    const pooled = digestsOf(await collect(hashFiles(fewFiles, { concurrency: 2 })));
    for (const [k, file] of fewFiles.entries()) {
      const want = { path: file, sha256: opensslDigest('sha256', file), sm3: opensslDigest('sm3', file), size: readFileSync(file).length };
      expect(pooled[k]).toEqual(want);
      expect(await hashFile(file)).toEqual(want);
    }
  });

  it('knows the digests of the empty file', async () => {
    expect(await hashFile(fewFiles[0]!)).toEqual({
      path: fewFiles[0],
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      sm3: '1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b',
      size: 0,
    });
  });
});

describe('when many small files go through the pool', () => {
  const many = join(dir, 'many');
  const files: string[] = [];
  for (let i = 0; i < 600; i++) {
    const name = join(many, `d${i % 13}`, `f${i}.bin`);
    files.push(name);
  }
  writeTree(many, Object.fromEntries(files.map((f, i) => [f.slice(many.length + 1), pattern(i * 37 % 5000, i)])));

  it('gives the single-thread answers, in input order, with both workers and with one', async () => {
    const single: HashResult[] = [];
    for (const f of files) single.push(await hashFile(f));
    expect(await collect(hashFiles(files, { concurrency: 2 }))).toEqual(single);
    expect(await collect(hashFiles(files, { concurrency: 1 }))).toEqual(single);
    const shuffled = [...files].reverse();
    expect((await collect(hashFiles(shuffled))).map((r) => r.path)).toEqual(shuffled);
  });

  it('takes walkFiles output as it comes and reports progress up to the totals', async () => {
    const progress: HashProgress[] = [];
    const walked = (async function* () {
      for await (const item of walkFiles([many])) if (item.kind === 'file') yield item;
    })();
    const results = digestsOf(await collect(hashFiles(walked, { onProgress: (p) => progress.push(p) })));
    expect(results).toHaveLength(600);
    const total = results.reduce((n, r) => n + r.size, 0);
    expect(progress.at(-1)).toEqual({ files: 600, bytes: total });
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.files).toBeGreaterThanOrEqual(progress[i - 1]!.files);
      expect(progress[i]!.bytes).toBeGreaterThanOrEqual(progress[i - 1]!.bytes);
    }
  });

  it('reads its input only a bounded distance ahead of a slow caller', async () => {
    let pulled = 0;
    const endless = (function* () {
      for (;;) {
        pulled++;
        yield join(dir, 'missing', `m${pulled}`);
      }
    })();
    const results = hashFiles(endless);
    const first = await results.next();
    expect(first.value).toMatchObject({ path: join(dir, 'missing', 'm1') });
    await new Promise((r) => setTimeout(r, 300));
    expect(pulled).toBeGreaterThan(1);
    expect(pulled).toBeLessThanOrEqual(4097);
    await results.return(undefined);
  });

  it('stops cleanly when the caller stops early', async () => {
    let seen = 0;
    for await (const r of hashFiles(files)) {
      expect(isHashError(r)).toBe(false);
      if (++seen === 5) break;
    }
    expect(seen).toBe(5);
  });
});

describe('when a file cannot be hashed', () => {
  const odd = join(dir, 'odd');
  writeTree(odd, { 'ok.txt': 'ok', 'folder/x': 'x' });
  execFileSync('mkfifo', [join(odd, 'pipe')]);

  it('gives an error result in its place and hashes the rest', async () => {
    const inputs = [join(odd, 'missing'), join(odd, 'ok.txt'), join(odd, 'folder'), join(odd, 'pipe')];
    const results = await collect(hashFiles(inputs));
    expect(results.map((r) => r.path)).toEqual(inputs);
    expect(results.map((r) => (isHashError(r) ? r.error.code : 'ok'))).toEqual(['FILE_NOT_FOUND', 'ok', 'FILE_NOT_REGULAR', 'FILE_NOT_REGULAR']);
    const first = results[0];
    expect(first !== undefined && isHashError(first) && first.error.details).toMatchObject({ path: inputs[0], errno: 'ENOENT' });
  });

  it('throws the same codes from hashFile, never blocking on a FIFO', async () => {
    expect(await codeOf(hashFile(join(odd, 'missing')))).toBe('FILE_NOT_FOUND');
    expect(await codeOf(hashFile(join(odd, 'folder')))).toBe('FILE_NOT_REGULAR');
    expect(await codeOf(hashFile(join(odd, 'pipe')))).toBe('FILE_NOT_REGULAR');
  });
});

describe('when the caller or the input fails', () => {
  it('rejects a concurrency that is not a positive integer with HASH_BAD_OPTION', async () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN, 5000]) {
      expect(await codeOf(() => hashFiles([], { concurrency }))).toBe('HASH_BAD_OPTION');
    }
  });

  it('ends the iteration with the error of a failing input or progress callback', async () => {
    const failing = (async function* () {
      yield fewFiles[1]!;
      throw new Error('input broke');
    })();
    await expect(collect(hashFiles(failing))).rejects.toThrow('input broke');
    const onProgress = () => {
      throw new Error('progress broke');
    };
    await expect(collect(hashFiles(fewFiles, { onProgress }))).rejects.toThrow('progress broke');
  });

  it('yields nothing for no files', async () => {
    expect(await collect(hashFiles([]))).toEqual([]);
  });
});

describe('when a file is large (50 MiB)', () => {
  const big = join(dir, 'big', 'fifty.bin');
  mkdirSync(join(dir, 'big'));
  const sha = createHash('sha256');
  const sm = createHash('sm3');
  const fd = openSync(big, 'w');
  for (let i = 0; i < 50; i++) {
    const block = pattern(HASH_CHUNK_BYTES, 100 + i);
    writeSync(fd, block);
    sha.update(block);
    sm.update(block);
  }
  closeSync(fd);
  const want = { path: big, sha256: sha.digest('hex'), sm3: sm.digest('hex'), size: 50 * HASH_CHUNK_BYTES };

  it('hashes it on this thread 1 MiB at a time, memory staying far below the file size', async () => {
    let reads = 0;
    let largest = 0;
    global.gc?.();
    const before = process.memoryUsage().rss;
    const got = await hashFile(big, (n) => {
      reads++;
      largest = Math.max(largest, n);
    });
    const grown = process.memoryUsage().rss - before;
    expect(got).toEqual(want);
    expect(reads).toBe(50);
    expect(largest).toBe(HASH_CHUNK_BYTES);
    expect(grown).toBeLessThan(25 * HASH_CHUNK_BYTES);
  });

  it('hashes it in a worker, announcing progress while it reads', async () => {
    const progress: HashProgress[] = [];
    const results = await collect(hashFiles([big], { onProgress: (p) => progress.push(p) }));
    expect(results).toEqual([want]);
    // a 'bytes' message every 16 MiB inside the file: three before the file is done
    expect(progress.filter((p) => p.files === 0).map((p) => p.bytes)).toEqual([16, 32, 48].map((m) => m * HASH_CHUNK_BYTES));
    expect(progress.at(-1)).toEqual({ files: 1, bytes: want.size });
  });
});
