import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Ledger } from '../../src/ledger/index.js';
import { hashLeaf, parseTilePath, tilesForTreeSize, verifyConsistency, verifyInclusion } from '../../src/merkle/index.js';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { parseVerifierKey } from '../../src/note/index.js';
import { toBase64, utf8 } from '../../src/crypto/index.js';
import { ReferenceTree } from '../merkle/reference.js';
import { loadVectors, vectorLeafData, type RootVector, type TileVector } from '../vectors.js';
import { rejectionCode, tempDir, waitUnfenced } from './helpers.js';

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

async function appendVectorLeaves(ledger: Ledger, from: number, to: number): Promise<void> {
  const ps = [];
  for (let i = from; i < to; i++) ps.push(ledger.append(vectorLeafData(i)));
  await Promise.all(ps);
}

function refNode(ref: ReferenceTree, level: number, index: number): Uint8Array {
  return ref.mth(index * 2 ** level, (index + 1) * 2 ** level);
}

describe('a new ledger', () => {
  it('starts with a signed checkpoint of the empty tree and a 0600 log key', async () => {
    const ledger = await Ledger.open({ dataDir: t.dir, origin: 'test.example/log' });
    try {
      const cp = openCheckpoint(ledger.checkpoint, [parseVerifierKey(ledger.verifierKey)], { origin: 'test.example/log' }).checkpoint;
      expect(cp.treeSize).toBe(0);
      expect(toBase64(cp.rootHash)).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
      expect(statSync(join(t.dir, 'log.key')).mode & 0o777).toBe(0o600);
    } finally {
      await ledger.close();
    }
  });

  it('refuses to reopen under another origin', async () => {
    await (await Ledger.open({ dataDir: t.dir, origin: 'a.example/log' })).close();
    expect(await rejectionCode(Ledger.open({ dataDir: t.dir, origin: 'b.example/log' }))).toBe('LOG_ORIGIN_MISMATCH');
  });
});

describe('the vectors tree of 1100 leaves, appended through the ledger', () => {
  it('has the roots of the Go implementation at every checkpoint and publishes byte-identical tiles', async () => {
    const roots = loadVectors<{ vectors: RootVector[] }>('roots.json').vectors;
    const tiles = loadVectors<{ tiles: TileVector[] }>('tiles.json').tiles;
    const ledger = await Ledger.open({ dataDir: t.dir, origin: 'example.com/cunzheng-test', maxGroup: 97 });
    try {
      await appendVectorLeaves(ledger, 0, 1100);
      const v = parseVerifierKey(ledger.verifierKey);
      // Groups of at most 97: every stored checkpoint signs the Go root of its size.
      let checked = 0;
      for (const r of roots) {
        const note = await ledger.checkpointAt(r.treeSize);
        if (note === undefined) continue;
        expect(toBase64(openCheckpoint(note, [v]).checkpoint.rootHash)).toBe(r.rootHash);
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(1100 / 97);
      expect(tiles.length).toBeGreaterThan(0);
      for (const tv of tiles) {
        const id = parseTilePath(tv.path);
        const data = await ledger.tile(id.level, id.index, id.width);
        expect(data && toBase64(data), tv.path).toBe(tv.data);
      }
      // and nothing the tree does not have
      expect(await ledger.tile(0, 5, 1)).toBeUndefined();
      expect(await ledger.tile(0, 4, 77)).toBeUndefined(); // tile 0/4 holds 76 hashes at size 1100
      expect(await ledger.tile(2, 0, 1)).toBeUndefined();
    } finally {
      await ledger.close();
    }
  });
});

describe('proofs from storage', () => {
  it('equal the reference implementation for many (index, size) pairs over 1e5 leaves, across a restart', async () => {
    const N = 100_000;
    const leafHashes = Array.from({ length: N }, (_, i) => hashLeaf(vectorLeafData(i)));
    const ref = new ReferenceTree(leafHashes);
    // A restart in the middle of a partial tile (37 of tile 0/3, and partial tiles at levels 1 and 2).
    let ledger = await Ledger.open({ dataDir: t.dir, tileCacheTiles: 8 });
    await appendVectorLeaves(ledger, 0, 805);
    await ledger.close();
    ledger = await Ledger.open({ dataDir: t.dir, tileCacheTiles: 8 });
    try {
      await appendVectorLeaves(ledger, 805, N);
      expect(toBase64(openCheckpoint(ledger.checkpoint, [parseVerifierKey(ledger.verifierKey)]).checkpoint.rootHash)).toBe(toBase64(ref.mth()));
      let seed = 7;
      const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
      const sizes = [1, 2, 255, 256, 257, 805, 806, 65536, 65537, N - 1, N];
      for (let k = 0; k < 300; k++) {
        const size = k < sizes.length ? sizes[k]! : 1 + rnd(N);
        const index = k % 3 === 0 ? size - 1 : rnd(size);
        const proof = await ledger.inclusionProof(index, size);
        expect(proof.map(toBase64), `inclusion ${index}@${size}`).toEqual(ref.path(index, 0, size).map(toBase64));
        verifyInclusion(index, size, leafHashes[index]!, proof, ref.mth(0, size));
        const from = rnd(size + 1);
        const c = await ledger.consistencyProof(from, size);
        expect(c.map(toBase64), `consistency ${from}→${size}`).toEqual(ref.proof(from, size).map(toBase64));
        verifyConsistency(from, size, c, ref.mth(0, from), ref.mth(0, size));
      }
      // a few tiles of historical sizes against the reference tree
      for (const size of [300, 4097, 70_000]) {
        for (const tile of tilesForTreeSize(size).filter((x, i, all) => i % 53 === 0 || i === all.length - 1)) {
          const data = await ledger.tile(tile.level, tile.index, tile.width);
          const want = Array.from({ length: tile.width }, (_, w) => refNode(ref, tile.level * 8, tile.index * 256 + w));
          expect(data && toBase64(data)).toBe(toBase64(Buffer.concat(want)));
        }
      }
      expect(ledger.cacheStats.tiles).toBeLessThanOrEqual(8); // bounded: never the whole tree in memory
    } finally {
      await ledger.close();
    }
  }, 120_000);

  it('reject sizes beyond the tree and indexes beyond the size with their codes', async () => {
    const ledger = await Ledger.open({ dataDir: t.dir });
    try {
      await appendVectorLeaves(ledger, 0, 10);
      expect(await rejectionCode(ledger.inclusionProof(0, 11))).toBe('LEDGER_SIZE_BEYOND_TREE');
      expect(await rejectionCode(ledger.inclusionProof(5, 5))).toBe('LEDGER_BAD_INDEX');
      expect(await rejectionCode(ledger.inclusionProof(-1, 5))).toBe('LEDGER_BAD_INDEX');
      expect(await rejectionCode(ledger.consistencyProof(6, 5))).toBe('LEDGER_BAD_SIZE');
      expect(await rejectionCode(ledger.consistencyProof(1.5, 5))).toBe('LEDGER_BAD_SIZE');
      expect(await rejectionCode(ledger.consistencyProof(1, 2 ** 60))).toBe('LEDGER_BAD_SIZE');
    } finally {
      await ledger.close();
    }
  });
});

describe('when the queue is full', () => {
  it('rejects with LEDGER_BUSY at once and keeps every accepted append', async () => {
    const ledger = await Ledger.open({ dataDir: t.dir, maxQueue: 10 });
    try {
      const accepted = Array.from({ length: 10 }, (_, i) => ledger.append(utf8(`x${i}`)));
      expect(await rejectionCode(ledger.append(utf8('one too many')))).toBe('LEDGER_BUSY');
      const done = await Promise.all(accepted);
      expect(done.map((a) => a.leafIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      await ledger.close();
    }
  });
});

describe('when a group write fails', () => {
  it('rejects that group with LEDGER_WRITE_FAILED, refuses appends until the reopened store is proven, and goes on from the same index', async () => {
    const ledger = await Ledger.open({ dataDir: t.dir });
    try {
      await ledger.append(utf8('first'));
      const before = ledger.checkpoint;
      // The failure comes from LevelDB's own handle, as a full disk would: the store fences itself and
      // the recovery reopens it (the new handle writes again).
      const level = ledger['store'].db as unknown as { batch: () => { put: () => void; write: () => Promise<void> } };
      level.batch = () => ({ put: () => undefined, write: async () => { throw new Error('ENOSPC: no space left on device'); } });
      expect(await rejectionCode(ledger.append(utf8('lost')))).toBe('LEDGER_WRITE_FAILED');
      expect(ledger.checkpoint).toBe(before);
      await waitUnfenced(ledger);
      expect(ledger['store'].db).not.toBe(level); // reopened
      expect(ledger.stats.writeFailures).toBe(1);
      expect(ledger.stats.recoveries).toBe(1);
      const a = await ledger.append(utf8('second'));
      expect(a.leafIndex).toBe(1);
      expect(toBase64(hashLeaf((await ledger.entry(1))!))).toBe(toBase64(hashLeaf(utf8('second'))));
    } finally {
      await ledger.close();
    }
  });

  it('answers LEDGER_FENCED while the store cannot be reopened', async () => {
    const ledger = await Ledger.open({ dataDir: t.dir });
    try {
      await ledger.append(utf8('first'));
      const store = ledger['store'] as unknown as { hasRoomToReopen: () => Promise<boolean> };
      let room = false;
      store.hasRoomToReopen = async () => room;
      const level = ledger['store'].db as unknown as { batch: () => { put: () => void; write: () => Promise<void> } };
      level.batch = () => ({ put: () => undefined, write: async () => { throw new Error('ENOSPC: no space left on device'); } });
      expect(await rejectionCode(ledger.append(utf8('lost')))).toBe('LEDGER_WRITE_FAILED');
      await new Promise((r) => setTimeout(r, 600)); // a few attempts, each finding no room
      expect(await rejectionCode(ledger.append(utf8('refused')))).toBe('LEDGER_FENCED');
      expect(ledger.fence?.code).toBe('LEDGER_FENCED');
      expect(ledger.fence?.message).toMatch(/free space/);
      room = true;
      await waitUnfenced(ledger);
      expect((await ledger.append(utf8('second'))).leafIndex).toBe(1);
    } finally {
      await ledger.close();
    }
  });
});

describe('when a second process opens the same data directory', () => {
  it('fails with STORE_LOCKED and a clear message', async () => {
    const ledger = await Ledger.open({ dataDir: t.dir });
    try {
      const mod = fileURLToPath(new URL('../../dist/src/ledger/index.js', import.meta.url));
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
        const { Ledger } = await import(${JSON.stringify(mod)});
        try { await Ledger.open({ dataDir: ${JSON.stringify(t.dir)} }); console.log('opened'); }
        catch (e) { console.log(e.code + ': ' + e.message); }`], { encoding: 'utf8' });
      expect(r.stdout).toMatch(/^STORE_LOCKED: the data directory .* is in use by another process/);
    } finally {
      await ledger.close();
    }
  });
});

describe('when the stored tree does not match its last checkpoint', () => {
  it('refuses to open it (LEDGER_CORRUPT)', async () => {
    const ledger = await Ledger.open({ dataDir: t.dir });
    await appendVectorLeaves(ledger, 0, 3);
    const state = (await ledger['store'].readState())!;
    state.hashes[0]![0]! ^= 1;
    const { encodeState } = await import('../../src/storage/state.js');
    await ledger['store'].db.put(Uint8Array.of(0x73), encodeState(state));
    await ledger.close();
    expect(await rejectionCode(Ledger.open({ dataDir: t.dir }))).toBe('LEDGER_CORRUPT');
  });
});
