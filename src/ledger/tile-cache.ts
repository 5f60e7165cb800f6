/**
 * A bounded LRU of full expanded tiles. Full tiles never change, so a cached one is always right; the
 * bound keeps memory flat however large the tree grows (never the whole tree in memory).
 */
import type { ExpandedTile } from './expanded-tile.js';

export class TileCache {
  private readonly map = new Map<string, ExpandedTile>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  private static key(level: number, index: number): string {
    return `${level}/${index}`;
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
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}
