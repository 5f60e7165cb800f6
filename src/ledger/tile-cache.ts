/**
 * A bounded cache of full expanded tiles. Full tiles never change, so a cached one is always right; the
 * bound keeps memory flat however large the tree grows (never the whole tree in memory).
 *
 * Eviction is CLOCK (second chance), not strict LRU: a hit only sets a flag, where LRU would reorder the
 * map on every node read (every receipt reads ~20 nodes, and that reordering measured as much as the rest
 * of proof building); at eviction a flagged tile gets its flag cleared and one more round.
 */
import type { ExpandedTile } from './expanded-tile.js';

interface Slot {
  tile: ExpandedTile;
  used: boolean;
}

export class TileCache {
  private readonly map = new Map<number, Slot>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  /** A number, not a string: tile levels are < 8 and tile indexes < 2^45, so index·8 + level is exact. */
  private static key(level: number, index: number): number {
    return index * 8 + level;
  }

  get(level: number, index: number): ExpandedTile | undefined {
    const slot = this.map.get(TileCache.key(level, index));
    if (slot === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    slot.used = true;
    return slot.tile;
  }

  set(tile: ExpandedTile): void {
    if (this.capacity <= 0) return;
    const k = TileCache.key(tile.tileLevel, tile.tileIndex);
    this.map.delete(k);
    this.map.set(k, { tile, used: false });
    while (this.map.size > this.capacity) {
      const [oldKey, oldest] = this.map.entries().next().value as [number, Slot];
      this.map.delete(oldKey);
      if (oldest.used) {
        oldest.used = false;
        this.map.set(oldKey, oldest); // a second chance, at the back of the line
      }
    }
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}
