import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/index.js';
import {
  TILE_WIDTH,
  buildConsistencyProof,
  buildInclusionProof,
  nodeHashFromTile,
  parseTilePath,
  tileData,
  tileForNode,
  tileNodeIDs,
  tileNodeRange,
  tilePath,
  tilesForTreeSize,
  tilesToPublish,
  verifyConsistency,
  verifyInclusion,
  type NodeID,
  type NodeReader,
  type TileID,
} from '../../src/merkle/index.js';
import { codeOfAsync, expectCode } from './expect-code.js';
import { NodeStore, vectorLeafHashes } from './helpers.js';
import { ReferenceTree } from './reference.js';

const SIZE = 1100;
const leaves = vectorLeafHashes(SIZE);
const store = new NodeStore(leaves);
const ref = new ReferenceTree(leaves);

/** What C2SP says a tree of `size` consists of: full tiles, and the partial tile of width floor(s/256^l) mod 256. */
function specTilesAt(size: number): string[] {
  const out: string[] = [];
  for (let level = 0; Math.floor(size / 256 ** level) > 0; level++) {
    const n = Math.floor(size / 256 ** level);
    for (let index = 0; index < Math.floor(n / 256); index++) out.push(tilePath({ level, index, width: 256 }));
    if (n % 256 > 0) out.push(tilePath({ level, index: Math.floor(n / 256), width: n % 256 }));
  }
  return out;
}

describe('tilesForTreeSize', () => {
  it('lists nothing for the empty tree', () => {
    expect(tilesForTreeSize(0)).toEqual([]);
  });

  it('matches the C2SP examples: size 256 is a full level-0 tile and a level-1 tile of width 1', () => {
    expect(tilesForTreeSize(256).map(tilePath)).toEqual(['tile/0/000', 'tile/1/000.p/1']);
  });

  it('holds, for 70,000 leaves, 273 full level-0 tiles, widths up to 112, one full level-1 tile, widths up to 17, and level 2 width 1', () => {
    const tiles = tilesForTreeSize(70000);
    const count = (level: number, full: boolean) => tiles.filter((t) => t.level === level && (t.width === TILE_WIDTH) === full).length;
    expect([count(0, true), count(0, false), count(1, true), count(1, false), count(2, true), count(2, false)]).toEqual([273, 112, 1, 17, 0, 1]);
    expect(tiles.filter((t) => t.width !== TILE_WIDTH).map((t) => t.index)).toEqual([...Array(112).fill(273), ...Array(17).fill(1), 0]);
  });

  it('contains every tile of the sizes just before it, or the full tile that supersedes it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200000 }), fc.integer({ min: 0, max: 299 }), (n, back) => {
        const all = new Set(tilesForTreeSize(n).map(tilePath));
        for (const p of specTilesAt(n)) expect(all.has(p)).toBe(true);
        for (const p of specTilesAt(Math.max(0, n - back))) {
          const t = parseTilePath(p);
          expect(all.has(p) || all.has(tilePath({ ...t, width: TILE_WIDTH })), p).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('tilesToPublish', () => {
  it('publishes, across any growth, every tile each checkpointed size consists of', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 30 }), (steps) => {
        const published = new Set<string>();
        let size = 0;
        for (const step of steps) {
          const next = size + step;
          for (const t of tilesToPublish(size, next)) published.add(tilePath(t));
          for (const p of specTilesAt(next)) expect(published.has(p), `${p} at ${next}`).toBe(true);
          size = next;
        }
      }),
      { numRuns: 100 },
    );
  });

  it('publishes nothing when the tree did not grow and rejects shrinking', () => {
    expect(tilesToPublish(700, 700)).toEqual([]);
    expect(tilesToPublish(0, 1100).map(tilePath)).toEqual(specTilesAt(1100));
    expectCode(() => tilesToPublish(5, 4), 'CONSISTENCY_SIZE_ORDER');
  });
});

describe('tile contents', () => {
  it('names the nodes a tile holds', () => {
    expect(tileNodeRange({ level: 1, index: 2, width: 5 })).toEqual({ level: 8, begin: 512, end: 517 });
    expect(tileNodeIDs({ level: 0, index: 1, width: 2 })).toEqual([
      { level: 0, index: 256 },
      { level: 0, index: 257 },
    ]);
  });

  it('makes a partial tile the prefix of the wider ones', async () => {
    const wide = await tileData({ level: 0, index: 4, width: 76 }, store.reader(SIZE));
    const narrow = await tileData({ level: 0, index: 4, width: 5 }, store.reader(SIZE));
    expect(toHex(narrow)).toBe(toHex(wide.subarray(0, 5 * 32)));
  });

  it('rejects a reader returning the wrong count or bad hashes', async () => {
    expect(await codeOfAsync(() => tileData({ level: 0, index: 0, width: 3 }, () => []))).toBe('BAD_NODE_COUNT');
    expect(await codeOfAsync(() => tileData({ level: 0, index: 0, width: 1 }, () => [new Uint8Array(8)]))).toBe('BAD_HASH_LENGTH');
    expect(await codeOfAsync(() => tileData({ level: 0, index: 0, width: 0 }, () => []))).toBe('BAD_TILE');
  });
});

/** Tiles as storage would keep them: one blob per (level, index), the widest published so far. */
async function tileStore(size: number): Promise<Map<string, Uint8Array>> {
  const blobs = new Map<string, Uint8Array>();
  for (const t of tilesForTreeSize(size)) blobs.set(`${t.level}/${t.index}`, await tileData(t, store.reader(size)));
  return blobs;
}

/** A NodeReader that sees only tiles: each node is read or rebuilt from the tile tileForNode names. */
function readerFromTiles(blobs: Map<string, Uint8Array>, treeSize: number): NodeReader {
  return (ids) =>
    ids.map((id) => {
      const { tile } = tileForNode(id, treeSize);
      const blob = blobs.get(`${tile.level}/${tile.index}`);
      if (blob === undefined || blob.length < tile.width * 32) throw new Error(`tile ${tilePath(tile)} not stored`);
      return nodeHashFromTile(id, tile, blob.subarray(0, tile.width * 32));
    });
}

describe('nodes from tiles', () => {
  it('rebuilds every stored node of the tree of size 1100 from its tile', async () => {
    const blobs = await tileStore(SIZE);
    let checked = 0;
    for (let level = 0; 2 ** level <= SIZE; level++) {
      for (let index = 0; (index + 1) * 2 ** level <= SIZE; index++) {
        const id: NodeID = { level, index };
        const [hash] = readerFromTiles(blobs, SIZE)([id]) as Uint8Array[];
        expect(toHex(hash!), `${level}/${index}`).toBe(toHex(ref.mth(index * 2 ** level, (index + 1) * 2 ** level)));
        checked++;
      }
    }
    expect(checked).toBe(2 * SIZE - 4); // 1100 + 550 + 275 + 137 + 68 + 34 + 17 + 8 + 4 + 2 + 1
  });

  it('serves proofs for older tree sizes from the tiles of the newest one', async () => {
    const blobs = await tileStore(SIZE);
    for (const n of [1, 2, 255, 256, 257, 511, 777, 1000, 1024, 1099, 1100]) {
      for (const m of [0, Math.floor(n / 3), n - 1]) {
        const proof = await buildInclusionProof(m, n, readerFromTiles(blobs, n));
        expect(proof.map(toHex)).toEqual(ref.path(m, 0, n).map(toHex));
        verifyInclusion(m, n, leaves[m]!, proof, ref.mth(0, n));
        const cproof = await buildConsistencyProof(m + 1, n, readerFromTiles(blobs, n));
        verifyConsistency(m + 1, n, cproof, ref.mth(0, m + 1), ref.mth(0, n));
      }
    }
  });

  it('locates a node between tile levels inside one tile', () => {
    expect(tileForNode({ level: 13, index: 5 }, 2 ** 40)).toEqual({ tile: { level: 1, index: 0, width: 256 }, begin: 160, end: 192 });
    expect(tileForNode({ level: 0, index: 1099 }, 1100)).toEqual({ tile: { level: 0, index: 4, width: 76 }, begin: 75, end: 76 });
    expect(tileForNode({ level: 16, index: 0 }, 2 ** 16)).toEqual({ tile: { level: 2, index: 0, width: 1 }, begin: 0, end: 1 });
  });

  it('refuses nodes the tree does not have, and tiles that do not hold the node', () => {
    expectCode(() => tileForNode({ level: 2, index: 274 }, 1099), 'NODE_NOT_IN_TREE');
    expectCode(() => tileForNode({ level: 53, index: 0 }, 1099), 'BAD_NODE_ID');
    const t: TileID = { level: 0, index: 0, width: 4 };
    expectCode(() => nodeHashFromTile({ level: 2, index: 1 }, t, new Uint8Array(128)), 'BAD_TILE');
    expectCode(() => nodeHashFromTile({ level: 8, index: 0 }, t, new Uint8Array(128)), 'BAD_TILE');
    expectCode(() => nodeHashFromTile({ level: 2, index: 0 }, t, new Uint8Array(127)), 'BAD_TILE_DATA');
    expect(nodeHashFromTile({ level: 2, index: 0 }, t, new Uint8Array(128))).toHaveLength(32);
  });
});
