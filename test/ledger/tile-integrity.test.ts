/**
 * Stored tiles are checked before they are used: a flipped bit in a full tile makes every proof and tile
 * read that needs it fail with STORE_CORRUPT (never a proof that does not verify, never a tile an auditor
 * cannot reconcile), and a flipped bit in an edge tile makes the ledger refuse to open.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Ledger } from '../../src/ledger/index.js';
import { LedgerStore } from '../../src/storage/store.js';
import { tileKey } from '../../src/storage/keys.js';
import { hashLeaf, verifyInclusion } from '../../src/merkle/index.js';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { parseVerifierKey } from '../../src/note/index.js';
import { utf8 } from '../../src/crypto/index.js';
import { rejectionCode, tempDir } from './helpers.js';
import { join } from 'node:path';

let t: ReturnType<typeof tempDir>;
beforeEach(() => (t = tempDir()));
afterEach(() => t.cleanup());

const SIZE = 256 * 3 + 40; // three full level-0 tiles and an edge of 40

async function build(): Promise<void> {
  const ledger = await Ledger.open({ dataDir: t.dir, maxGroup: 100 });
  await Promise.all(Array.from({ length: SIZE }, (_, i) => ledger.append(utf8(`leaf ${i}`))));
  await ledger.close();
}

async function flip(level: number, index: number, byte: number, bit: number): Promise<void> {
  const store = await LedgerStore.open(join(t.dir, 'ledger'));
  const data = (await store.db.get(tileKey(level, index)))!.slice();
  data[byte]! ^= 1 << bit;
  await store.db.put(tileKey(level, index), data);
  await store.close();
}

describe('a flipped bit in a stored full tile', () => {
  it('is STORE_CORRUPT for every proof and tile read that needs it; other proofs still verify', async () => {
    await build();
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 8191 }), fc.integer({ min: 0, max: 7 }), async (tile, byte, bit) => {
      await flip(0, tile, byte, bit);
      const ledger = await Ledger.open({ dataDir: t.dir, tileCacheTiles: 16 });
      try {
        const leaf = tile * 256 + 7;
        expect(await rejectionCode(ledger.inclusionProof(leaf, SIZE))).toBe('STORE_CORRUPT');
        expect(await rejectionCode(ledger.tile(0, tile, 256))).toBe('STORE_CORRUPT');
        // A leaf of another full tile: its proof holds only the damaged tile's root, read from level 1.
        const other = ((tile + 1) % 3) * 256 + 3;
        const proof = await ledger.inclusionProof(other, SIZE);
        const cp = openCheckpoint(ledger.checkpoint, [parseVerifierKey(ledger.verifierKey)]).checkpoint;
        verifyInclusion(other, SIZE, hashLeaf(utf8(`leaf ${other}`)), proof, cp.rootHash);
      } finally {
        await ledger.close();
        await flip(0, tile, byte, bit); // undo
      }
    }), { numRuns: 8 });
  });
});

describe('a flipped bit in a stored edge tile', () => {
  it('makes the ledger refuse to open (STORE_CORRUPT)', async () => {
    await build();
    await flip(0, 3, 5 * 32 + 9, 2);
    expect(await rejectionCode(Ledger.open({ dataDir: t.dir }))).toBe('STORE_CORRUPT');
  });
});
