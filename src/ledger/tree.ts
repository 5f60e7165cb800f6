/**
 * The ledger's Merkle tree over storage: the committed compact range, the right-edge tiles (the partial
 * tile at each tile level, in memory and expanded), a bounded cache of full tiles, and the store for the
 * rest. Appends are prepared on copies and applied only after their batch is durable, so a failed write
 * leaves the committed tree exactly as it was.
 */
import { CompactRange, hashChildren, type NodeID } from '../merkle/index.js';
import { bytesEqual } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import type { LedgerStore } from '../storage/store.js';
import { ExpandedTile, TILE_HEIGHT, TILE_WIDTH, addressOf } from './expanded-tile.js';
import { TileCache } from './tile-cache.js';

export interface PreparedAppend {
  range: CompactRange;
  edge: Map<number, ExpandedTile>;
  /** Tiles whose data changed: [level, index, bytes]. */
  tiles: { level: number; index: number; data: Uint8Array }[];
  /** Tiles completed by this append (they leave the edge for the cache once applied). */
  completed: ExpandedTile[];
}

function corrupt(level: number, index: number, what: string): CunzhengError {
  return new CunzhengError('STORE_CORRUPT', `tile ${level}/${index} ${what}`, { details: { where: `tile ${level}/${index}` } });
}

/**
 * The edge tiles, read from the store at open, against the compact range (which the caller checks
 * against the signed root): every perfect subtree of the range whose root lies in a tile's band
 * (levels 8L … 8L+7) is a node of the edge tile L, and together they cover every hash of that tile.
 */
function checkEdge(range: CompactRange, edge: Map<number, ExpandedTile>): void {
  const hashes = range.hashes();
  let start = 0;
  let k = 0;
  for (let h = 63; h >= 0; h--) {
    const span = 2 ** h;
    if (Math.floor(range.size / span) % 2 === 0) continue;
    const a = addressOf(h, start / span);
    const tile = edge.get(a.tileLevel);
    if (tile !== undefined && tile.tileIndex === a.tileIndex) {
      const node = tile.node(a.sublevel, a.position);
      if (node === undefined || !bytesEqual(node, hashes[k]!)) throw corrupt(a.tileLevel, a.tileIndex, 'does not match the tree state (its hashes are not the signed tree\'s)');
    }
    start += span;
    k++;
  }
}

/** The number of level-8L nodes (tile-level-L hashes) in a tree of `treeSize` leaves. */
function hashesAtTileLevel(treeSize: number, tileLevel: number): number {
  return Math.floor(treeSize / 2 ** (TILE_HEIGHT * tileLevel));
}

export class LedgerTree {
  private range: CompactRange;
  private edge: Map<number, ExpandedTile>;
  readonly cache: TileCache;

  private constructor(private readonly store: LedgerStore, range: CompactRange, edge: Map<number, ExpandedTile>, cacheTiles: number) {
    this.range = range;
    this.edge = edge;
    this.cache = new TileCache(cacheTiles);
  }

  /** Loads the tree of the stored state: its compact range and the partial edge tiles. */
  static async load(store: LedgerStore, treeSize: number, hashes: Uint8Array[], cacheTiles: number): Promise<LedgerTree> {
    const range = CompactRange.fromHashes(treeSize, hashes);
    const edge = new Map<number, ExpandedTile>();
    for (let L = 0; hashesAtTileLevel(treeSize, L) > 0; L++) {
      const n = hashesAtTileLevel(treeSize, L);
      const index = Math.floor(n / TILE_WIDTH);
      const width = n % TILE_WIDTH;
      if (width === 0) continue;
      const data = await store.readTile(L, index);
      if (data === undefined || data.length !== width * 32) {
        throw new CunzhengError('STORE_CORRUPT', `tile ${L}/${index} should hold ${width} hashes for tree size ${treeSize}, holds ${data === undefined ? 'nothing' : data.length / 32}`, {
          details: { where: `tile ${L}/${index}` },
        });
      }
      edge.set(L, ExpandedTile.fromData(L, index, data));
    }
    return new LedgerTree(store, range, edge, cacheTiles);
  }

  get treeSize(): number {
    return this.range.size;
  }

  /** Checks the edge tiles read at load against the compact range (call once the range is proven). */
  verifyEdge(): void {
    checkEdge(this.range, this.edge);
  }

  root(): Uint8Array {
    return this.range.root();
  }

  rangeHashes(): Uint8Array[] {
    return this.range.hashes();
  }

  /**
   * Appends leaf hashes to copies of the committed state, or of `base` (an append prepared but not yet
   * applied: the ledger prepares group N+1 while group N is being written). Nothing is visible until
   * `apply`, which must then see `base` first.
   */
  prepare(leafHashes: readonly Uint8Array[], base?: PreparedAppend): PreparedAppend {
    const range = (base?.range ?? this.range).clone();
    const edge = new Map(base?.edge ?? this.edge);
    const copied = new Set<number>();
    const touched = new Map<number, ExpandedTile>(); // tile level → last tile touched at sublevel 0
    const touchedAll: ExpandedTile[] = [];
    const completed: ExpandedTile[] = [];
    const visit = (id: NodeID, hash: Uint8Array): void => {
      const a = addressOf(id.level, id.index);
      let tile = edge.get(a.tileLevel);
      if (tile === undefined || tile.tileIndex !== a.tileIndex) {
        if (tile !== undefined) completed.push(tile);
        tile = ExpandedTile.empty(a.tileLevel, a.tileIndex);
        edge.set(a.tileLevel, tile);
        copied.add(a.tileLevel);
      } else if (!copied.has(a.tileLevel)) {
        tile = tile.clone();
        edge.set(a.tileLevel, tile);
        copied.add(a.tileLevel);
      }
      tile.put(a.sublevel, a.position, hash);
      if (a.sublevel === 0 && touched.get(a.tileLevel) !== tile) {
        touched.set(a.tileLevel, tile);
        touchedAll.push(tile);
      }
    };
    for (const h of leafHashes) range.append(h, visit);
    for (const t of completed) if (!t.isFull) throw new CunzhengError('LEDGER_INTERNAL', `tile ${t.tileLevel}/${t.tileIndex} left the edge before it was full`);
    // A tile that filled up exactly stays in `edge` until the next node of its level arrives; it is full
    // either way, and reads find it in either place.
    const tiles = touchedAll.map((t) => ({ level: t.tileLevel, index: t.tileIndex, data: t.data() }));
    return { range, edge, tiles, completed };
  }

  /** Makes a prepared append the committed state: call only after its batch is durable. */
  apply(p: PreparedAppend): void {
    this.range = p.range;
    this.edge = p.edge;
    for (const t of p.completed) this.cache.set(t);
  }

  /** The tile holding `(tileLevel, tileIndex)` if it is in memory (edge or cache). */
  private memoryTile(level: number, index: number): ExpandedTile | undefined {
    const e = this.edge.get(level);
    if (e !== undefined && e.tileIndex === index) return e;
    return this.cache.get(level, index);
  }

  /**
   * Reads full tiles from the store, each checked before it is used or cached: its 256 hashes must hash
   * up to its parent node, read from the tile above (the edge, proven against the signed root at open, or
   * a full tile checked the same way). A flipped bit in a stored tile is STORE_CORRUPT, never a proof that
   * does not verify or a tile an auditor cannot reconcile. One more hash per tile read (the expansion
   * computes the rest anyway).
   */
  private async loadFullTiles(keys: { level: number; index: number }[]): Promise<Map<string, ExpandedTile>> {
    const out = new Map<string, ExpandedTile>();
    const datas = await this.store.readTiles(keys);
    const tiles = keys.map((k, i) => {
      const data = datas[i];
      if (data === undefined || data.length !== TILE_WIDTH * 32) {
        throw corrupt(k.level, k.index, `should be full and is ${data === undefined ? 'missing' : `${data.length / 32} hashes`}`);
      }
      return ExpandedTile.fromData(k.level, k.index, data);
    });
    const parents = await this.readNodes(keys.map((k) => ({ level: TILE_HEIGHT * (k.level + 1), index: k.index })));
    tiles.forEach((t, i) => {
      const top = t.levels[TILE_HEIGHT - 1]!;
      if (!bytesEqual(hashChildren(top.subarray(0, 32), top.subarray(32, 64)), parents[i]!)) {
        throw corrupt(t.tileLevel, t.tileIndex, 'does not hash to its parent node in the tile above');
      }
      this.cache.set(t);
      out.set(`${t.tileLevel}/${t.tileIndex}`, t);
    });
    return out;
  }

  /**
   * Reads stored nodes (perfect subtrees of the committed tree) for the proof builders: from the edge,
   * the cache, or the store (at most one batched read per call).
   */
  readNodes = async (ids: readonly NodeID[]): Promise<Uint8Array[]> => {
    const out: (Uint8Array | undefined)[] = new Array(ids.length);
    const missing = new Map<string, { level: number; index: number }>();
    ids.forEach((id, i) => {
      const a = addressOf(id.level, id.index);
      const h = this.memoryTile(a.tileLevel, a.tileIndex)?.node(a.sublevel, a.position);
      if (h !== undefined) out[i] = h;
      else missing.set(`${a.tileLevel}/${a.tileIndex}`, { level: a.tileLevel, index: a.tileIndex });
    });
    if (missing.size > 0) {
      const loaded = await this.loadFullTiles([...missing.values()]);
      ids.forEach((id, i) => {
        if (out[i] !== undefined) return;
        const a = addressOf(id.level, id.index);
        out[i] = loaded.get(`${a.tileLevel}/${a.tileIndex}`)?.node(a.sublevel, a.position);
      });
    }
    return out.map((h, i) => {
      if (h === undefined) {
        throw new CunzhengError('LEDGER_INTERNAL', `node ${ids[i]!.level}/${ids[i]!.index} is not in the tree of size ${this.treeSize}`);
      }
      return h;
    });
  };

  /**
   * The bytes of tile (level, index) with `width` hashes (256 = full), if the committed tree has them.
   * A partial tile of an older tree size is a prefix of the current one.
   */
  async tileData(level: number, index: number, width: number): Promise<Uint8Array | undefined> {
    const available = hashesAtTileLevel(this.treeSize, level) - index * TILE_WIDTH;
    if (available < width || width < 1 || width > TILE_WIDTH) return undefined;
    const mem = this.memoryTile(level, index);
    if (mem !== undefined && mem.width >= width) return mem.data().subarray(0, width * 32);
    // Not in memory: a full tile (the edge always is), read and checked like any other.
    const t = (await this.loadFullTiles([{ level, index }])).get(`${level}/${index}`)!;
    return t.data().subarray(0, width * 32);
  }
}
