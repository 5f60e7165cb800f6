/**
 * A bounded LRU of full expanded tiles. Full tiles never change, so a cached one is always right; the
 * bound keeps memory flat however large the tree grows (never the whole tree in memory).
 */
import type { ExpandedTile } from './expanded-tile.js';

export class TileCache {
  private readonly map = new Map<number, ExpandedTile>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  /** A number, not a string: tile levels are < 8 and tile indexes < 2^45, so index·8 + level is exact. */
  private static key(level: number, index: number): number {
    return index * 8 + level;
  }

  get(level: number, index: number): ExpandedTile | undefined {
    const k = TileCache.key(level, index);
    const t = this.map.get(k);
    if (t === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(k);
    this.map.set(k, t);
    return t;
  }

  set(tile: ExpandedTile): void {
    if (this.capacity <= 0) return;
    const k = TileCache.key(tile.tileLevel, tile.tileIndex);
    this.map.delete(k);
    this.map.set(k, tile);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as number);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}
