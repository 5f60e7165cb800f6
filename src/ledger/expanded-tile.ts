/**
 * An expanded hash tile: the C2SP tile's 256 hashes at its base level (the tile's data) plus the hashes of
 * the seven sublevels above them, so any node whose level lies inside the tile's band is one lookup.
 *
 *   tile level L holds tree levels 8L … 8L+7:
 *     sublevel 7:                         h                      (1 hash)
 *     …
 *     sublevel 1:    h       h       h   …   h                    (128 hashes)
 *     sublevel 0:   h h     h h     h h  …  h h                   (256 hashes = the tile's data)
 *
 * A node at tree level l = 8L + s, index i lives in tile (L, floor(i / 2^(8−s))) at position
 * i mod 2^(8−s) of sublevel s. The node at level 8L+8 is sublevel 0 of tile level L+1.
 */
import { TILE_HEIGHT, TILE_WIDTH, hashChildren } from '../merkle/index.js';
import { CunzhengError } from '../errors.js';

export { TILE_HEIGHT, TILE_WIDTH };
const H = 32;

export interface TileAddress {
  tileLevel: number;
  tileIndex: number;
  sublevel: number;
  position: number;
}

/**
 * Where the node (level, index) lives in the tile grid: merkle's `tileForNode` without its validation and
 * allocation, because this runs for every node of every proof served.
 */
export function addressOf(level: number, index: number): TileAddress {
  const tileLevel = Math.floor(level / TILE_HEIGHT);
  const sublevel = level - tileLevel * TILE_HEIGHT;
  const perTile = 2 ** (TILE_HEIGHT - sublevel);
  const tileIndex = Math.floor(index / perTile);
  return { tileLevel, tileIndex, sublevel, position: index - tileIndex * perTile };
}

export class ExpandedTile {
  readonly levels: Uint8Array[];
  readonly counts: number[];

  private constructor(readonly tileLevel: number, readonly tileIndex: number, levels: Uint8Array[], counts: number[]) {
    this.levels = levels;
    this.counts = counts;
  }

  static empty(tileLevel: number, tileIndex: number): ExpandedTile {
    const levels = Array.from({ length: TILE_HEIGHT }, (_, s) => new Uint8Array((TILE_WIDTH >> s) * H));
    return new ExpandedTile(tileLevel, tileIndex, levels, new Array<number>(TILE_HEIGHT).fill(0));
  }

  /** Expands stored tile data (full or partial): every sublevel node whose children are all present. */
  static fromData(tileLevel: number, tileIndex: number, data: Uint8Array): ExpandedTile {
    if (data.length === 0 || data.length % H !== 0 || data.length > TILE_WIDTH * H) {
      throw new CunzhengError('STORE_CORRUPT', `tile ${tileLevel}/${tileIndex} has ${data.length} bytes, not a multiple of 32 up to 8192`, {
        details: { where: `tile ${tileLevel}/${tileIndex}` },
      });
    }
    const t = ExpandedTile.empty(tileLevel, tileIndex);
    t.levels[0]!.set(data);
    t.counts[0] = data.length / H;
    for (let s = 1; s < TILE_HEIGHT; s++) {
      const below = t.levels[s - 1]!;
      const n = Math.floor(t.counts[s - 1]! / 2);
      const out = t.levels[s]!;
      for (let p = 0; p < n; p++) {
        out.set(hashChildren(below.subarray(2 * p * H, (2 * p + 1) * H), below.subarray((2 * p + 1) * H, (2 * p + 2) * H)), p * H);
      }
      t.counts[s] = n;
    }
    return t;
  }

  get width(): number {
    return this.counts[0]!;
  }

  get isFull(): boolean {
    return this.counts[0] === TILE_WIDTH;
  }

  /** The tile's C2SP bytes: the base-level hashes present so far. */
  data(): Uint8Array {
    return this.levels[0]!.slice(0, this.counts[0]! * H);
  }

  /** Records a node created by an append. Nodes arrive in order, so position === count. */
  put(sublevel: number, position: number, hash: Uint8Array): void {
    if (position !== this.counts[sublevel]) {
      throw new CunzhengError('LEDGER_INTERNAL', `tile ${this.tileLevel}/${this.tileIndex} sublevel ${sublevel}: node ${position} out of order (have ${this.counts[sublevel]})`);
    }
    this.levels[sublevel]!.set(hash, position * H);
    this.counts[sublevel] = position + 1;
  }

  /** The node's hash, or undefined when the tile does not (yet) hold it. */
  node(sublevel: number, position: number): Uint8Array | undefined {
    if (position >= this.counts[sublevel]!) return undefined;
    return this.levels[sublevel]!.subarray(position * H, (position + 1) * H);
  }

  clone(): ExpandedTile {
    return new ExpandedTile(this.tileLevel, this.tileIndex, this.levels.map((l) => l.slice()), this.counts.slice());
  }
}
