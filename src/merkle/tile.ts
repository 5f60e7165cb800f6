/**
 * C2SP tlog-tiles hash tiles in terms of tree nodes. Tile (L, N, W) holds the hashes of the stored nodes
 * at tree level 8·L with indexes N·256 … N·256+W−1, concatenated (W·32 bytes):
 *
 *   tile level 1 ─ hashes of nodes at level 8:   (8,0)   (8,1)   …   (8,255)
 *                                                   │ each is the root of one full level-0 tile
 *   tile level 0 ─ leaf hashes (level 0):     (0,0) … (0,255) │ (0,256) … (0,511) │ …
 *
 * A node at a level between two tile levels (level 8·L + k, 0 < k < 8) is rebuilt from the 2^k hashes
 * under it in one tile of level L (see tileForNode / nodeHashFromTile): that is how storage that keeps
 * only tiles serves every node a proof asks for.
 *
 * A partial tile of width W is the first W hashes of any wider tile with the same (L, N): the hashes
 * never change once their subtrees are complete, so storage may keep one blob per (L, N) and serve
 * `.p/W` for any W up to what it holds (C2SP lets logs delete partial tiles once the full one exists).
 */
import { assertTreeSize, pow2 } from './bits.js';
import { merkleError } from './errors.js';
import { assertNodeID, type NodeID } from './node-id.js';
import type { NodeReader } from './proof.js';
import { HASH_SIZE, assertHash, hashChildren } from './rfc6962.js';
import { TILE_HEIGHT, TILE_WIDTH, assertTileID, type TileID } from './tile-path.js';

export * from './tile-path.js';

/** Number of complete nodes at tree level `level` in a tree of `treeSize` leaves. */
function nodesAtLevel(treeSize: number, level: number): number {
  return Math.floor(treeSize / pow2(level));
}

/**
 * Every tile that may be requested of a tree of `treeSize` leaves whose every size had a checkpoint:
 * all full tiles, and for each level's rightmost incomplete tile each width 1..W (a client holding an
 * older checkpoint asks for a narrower one). Ordered by level, then index, then width. Partial tiles of
 * tiles that are now full are left out. O(treeSize / 256) entries: for audits and tests.
 */
export function tilesForTreeSize(treeSize: number): TileID[] {
  assertTreeSize(treeSize);
  const tiles: TileID[] = [];
  for (let level = 0; nodesAtLevel(treeSize, TILE_HEIGHT * level) > 0; level++) {
    const n = nodesAtLevel(treeSize, TILE_HEIGHT * level);
    const full = Math.floor(n / TILE_WIDTH);
    for (let index = 0; index < full; index++) tiles.push({ level, index, width: TILE_WIDTH });
    for (let width = 1; width <= n % TILE_WIDTH; width++) tiles.push({ level, index: full, width });
  }
  return tiles;
}

/**
 * The tiles a log writes when it grows from `oldSize` to `newSize` and checkpoints `newSize`: the full
 * tiles completed in between and, per level, the partial tile of the new size if its width changed.
 */
export function tilesToPublish(oldSize: number, newSize: number): TileID[] {
  assertTreeSize(oldSize, 'oldSize');
  assertTreeSize(newSize, 'newSize');
  if (oldSize > newSize) {
    throw merkleError('CONSISTENCY_SIZE_ORDER', `oldSize ${oldSize} is larger than newSize ${newSize}`, { oldSize, newSize });
  }
  const tiles: TileID[] = [];
  for (let level = 0; nodesAtLevel(newSize, TILE_HEIGHT * level) > 0; level++) {
    const oldN = nodesAtLevel(oldSize, TILE_HEIGHT * level);
    const newN = nodesAtLevel(newSize, TILE_HEIGHT * level);
    if (oldN === newN) continue;
    const full = Math.floor(newN / TILE_WIDTH);
    for (let index = Math.floor(oldN / TILE_WIDTH); index < full; index++) tiles.push({ level, index, width: TILE_WIDTH });
    if (newN % TILE_WIDTH > 0) tiles.push({ level, index: full, width: newN % TILE_WIDTH });
  }
  return tiles;
}

/** The tree nodes a tile holds: level 8·tile.level, indexes [begin, end). */
export function tileNodeRange(tile: TileID): { level: number; begin: number; end: number } {
  assertTileID(tile);
  const begin = tile.index * TILE_WIDTH;
  return { level: TILE_HEIGHT * tile.level, begin, end: begin + tile.width };
}

/** The IDs of the nodes a tile holds, in tile order. */
export function tileNodeIDs(tile: TileID): NodeID[] {
  const { level, begin, end } = tileNodeRange(tile);
  const ids: NodeID[] = [];
  for (let index = begin; index < end; index++) ids.push({ level, index });
  return ids;
}

/** Assembles a tile's bytes from the hashes of its nodes. */
export async function tileData(tile: TileID, read: NodeReader): Promise<Uint8Array> {
  const ids = tileNodeIDs(tile);
  const hashes = await read(ids);
  if (!Array.isArray(hashes) || hashes.length !== ids.length) {
    throw merkleError('BAD_NODE_COUNT', `tile needs ${ids.length} node hashes, got ${Array.isArray(hashes) ? hashes.length : typeof hashes}`, {
      want: ids.length,
    });
  }
  const out = new Uint8Array(ids.length * HASH_SIZE);
  hashes.forEach((h, i) => {
    assertHash(h, `hash of node ${ids[i]?.level}/${ids[i]?.index}`);
    out.set(h, i * HASH_SIZE);
  });
  return out;
}

/** Where a node's hash comes from in the tiles: the tile and the run [begin, end) of hashes under it. */
export interface NodeInTile {
  tile: TileID;
  begin: number;
  end: number;
}

/**
 * The tile of the tree of `treeSize` leaves from which the stored node `id` is read or rebuilt: the tile
 * at level floor(id.level / 8) holding the 2^(id.level mod 8) hashes under `id` (always inside one tile,
 * since 2^k for k < 8 divides 256). The tile is full when the tree has completed it, else the partial
 * tile of `treeSize`. Throws NODE_NOT_IN_TREE when `id` is not a complete subtree of that tree.
 */
export function tileForNode(id: NodeID, treeSize: number): NodeInTile {
  assertNodeID(id);
  assertTreeSize(treeSize);
  if ((id.index + 1) * pow2(id.level) > treeSize) {
    throw merkleError('NODE_NOT_IN_TREE', `node ${id.level}/${id.index} is not a complete subtree of a tree of size ${treeSize}`, {
      level: id.level,
      index: id.index,
      treeSize,
    });
  }
  const tileLevel = Math.floor(id.level / TILE_HEIGHT);
  const storedLevel = tileLevel * TILE_HEIGHT;
  const span = pow2(id.level - storedLevel);
  const first = id.index * span;
  const tileIndex = Math.floor(first / TILE_WIDTH);
  const available = nodesAtLevel(treeSize, storedLevel) - tileIndex * TILE_WIDTH;
  const begin = first - tileIndex * TILE_WIDTH;
  return { tile: { level: tileLevel, index: tileIndex, width: Math.min(TILE_WIDTH, available) }, begin, end: begin + span };
}

/**
 * The hash of node `id` from the bytes of `tile` (which must be the tile holding the hashes under it, of
 * any width that includes them). Throws BAD_TILE when the tile does not hold the node and BAD_TILE_DATA
 * when `data` is not tile.width hashes.
 */
export function nodeHashFromTile(id: NodeID, tile: TileID, data: Uint8Array): Uint8Array {
  assertNodeID(id);
  assertTileID(tile);
  if (!(data instanceof Uint8Array) || data.length !== tile.width * HASH_SIZE) {
    throw merkleError('BAD_TILE_DATA', `tile data: expected ${tile.width * HASH_SIZE} bytes`, {
      want: tile.width * HASH_SIZE,
      got: data instanceof Uint8Array ? data.length : typeof data,
    });
  }
  const tileLevel = Math.floor(id.level / TILE_HEIGHT);
  const span = pow2(id.level - tileLevel * TILE_HEIGHT);
  const begin = id.index * span - tile.index * TILE_WIDTH;
  if (tileLevel !== tile.level || begin < 0 || begin + span > tile.width) {
    throw merkleError('BAD_TILE', `tile ${tile.level}/${tile.index}.p/${tile.width} does not hold node ${id.level}/${id.index}`);
  }
  let layer: Uint8Array[] = [];
  for (let i = begin; i < begin + span; i++) layer.push(data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  while (layer.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < layer.length; i += 2) next.push(hashChildren(layer[i] as Uint8Array, layer[i + 1] as Uint8Array));
    layer = next;
  }
  return (layer[0] as Uint8Array).slice();
}
