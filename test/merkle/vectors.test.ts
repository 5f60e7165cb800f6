/**
 * The Go vectors (computed by Go's golang.org/x/mod/sumdb/tlog, see test/vectors/README.md) against
 * this package: roots, proofs built and verified, every tile and tile path of the tree of size 1100.
 */
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../src/crypto/index.js';
import {
  CompactRange,
  buildConsistencyProof,
  buildInclusionProof,
  parseTilePath,
  tileData,
  tilePath,
  tilesForTreeSize,
  verifyConsistency,
  verifyInclusion,
} from '../../src/merkle/index.js';
import {
  loadVectors,
  type ConsistencyVector,
  type InclusionVector,
  type RootVector,
  type TilePathVector,
  type TileVector,
} from '../vectors.js';
import { NodeStore, b64, vectorLeafHashes } from './helpers.js';

const roots = loadVectors<{ vectors: RootVector[] }>('roots.json').vectors;
const inclusion = loadVectors<{ vectors: InclusionVector[] }>('inclusion.json').vectors;
const consistency = loadVectors<{ vectors: ConsistencyVector[] }>('consistency.json').vectors;
const tiles = loadVectors<{ treeSize: number; tiles: TileVector[]; paths: TilePathVector[] }>('tiles.json');
const leaves = vectorLeafHashes(1100);
const store = new NodeStore(leaves);

describe('the Go sumdb vectors', () => {
  it('cover what this file relies on', () => {
    expect(roots).toHaveLength(1101);
    expect(inclusion.length).toBeGreaterThan(100);
    expect(consistency.length).toBeGreaterThan(100);
    expect(tiles.treeSize).toBe(1100);
  });

  it('give the CompactRange root at every tree size 0..1100', () => {
    const range = CompactRange.empty();
    const got: string[] = [];
    for (let n = 0; n <= 1100; n++) {
      got.push(toBase64(range.root()));
      if (n < 1100) range.append(leaves[n]!);
    }
    expect(got).toEqual([...roots].sort((a, b) => a.treeSize - b.treeSize).map((v) => v.rootHash));
  });

  it('give inclusion proofs that verify and equal the built ones', async () => {
    for (const v of inclusion) {
      verifyInclusion(v.leafIndex, v.treeSize, b64(v.leafHash), v.inclusionProof.map(b64), b64(v.rootHash));
      const built = await buildInclusionProof(v.leafIndex, v.treeSize, store.reader(v.treeSize));
      expect(built.map(toBase64), `${v.leafIndex} in ${v.treeSize}`).toEqual(v.inclusionProof);
      expect(toBase64(leaves[v.leafIndex]!)).toBe(v.leafHash);
    }
  });

  it('give consistency proofs that verify and equal the built ones', async () => {
    for (const v of consistency) {
      verifyConsistency(v.fromSize, v.toSize, v.consistencyProof.map(b64), b64(v.fromRoot), b64(v.toRoot));
      const built = await buildConsistencyProof(v.fromSize, v.toSize, store.reader(v.toSize));
      expect(built.map(toBase64), `${v.fromSize} → ${v.toSize}`).toEqual(v.consistencyProof);
    }
  });

  it('give every tile of the tree of size 1100 byte for byte, and tilesForTreeSize lists exactly their paths', async () => {
    expect(tilesForTreeSize(1100).map(tilePath)).toEqual(tiles.tiles.map((t) => t.path));
    for (const t of tiles.tiles) {
      const data = await tileData(parseTilePath(t.path), store.reader(1100));
      expect(toBase64(data), t.path).toBe(t.data);
    }
  });

  it('give tile path encodings that encode and parse both ways', () => {
    for (const v of tiles.paths) {
      const tile = { level: v.level, index: v.index, width: v.width };
      expect(tilePath(tile)).toBe(v.path);
      expect(parseTilePath(v.path)).toEqual(tile);
    }
  });
});
