/**
 * Per-document locks: a keyed async mutex. What a document's next entry may be depends on its state (the
 * lifecycle rules), so reading that state, applying the rules and appending the entry — until it is durable
 * — must be serial per document, while different documents proceed (and group-commit) together.
 *
 * `acquire(keys)` takes several keys at once in sorted order (deduplicated), so two callers that need
 * overlapping sets of documents (a batch with many prevs, events on documents of the same batch) always
 * take them in the same order and can never wait on each other in a cycle. Waiters of one key are served
 * first come, first served. A key without holders or waiters costs nothing (the map forgets it).
 */

/** Gives the locks back; calling it again does nothing. */
export type Release = () => void;

interface Slot {
  /** Resolves the next waiter, in order; empty when only the holder is there. */
  waiters: (() => void)[];
}

export class DocumentLocks {
  private readonly held = new Map<string, Slot>();

  /** How many keys are held now (for tests and metrics). */
  get size(): number {
    return this.held.size;
  }

  /** Resolves once every key is held by the caller; the release gives them all back. */
  async acquire(keys: Iterable<string>): Promise<Release> {
    const sorted = [...new Set(keys)].sort();
    const taken: string[] = [];
    for (const key of sorted) {
      await this.take(key);
      taken.push(key);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (let i = taken.length - 1; i >= 0; i--) this.give(taken[i]!);
    };
  }

  /** Runs `fn` holding `keys`; the locks are given back however it ends. */
  async with<T>(keys: Iterable<string>, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(keys);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private take(key: string): Promise<void> | void {
    const slot = this.held.get(key);
    if (slot === undefined) {
      this.held.set(key, { waiters: [] });
      return;
    }
    return new Promise<void>((resolve) => slot.waiters.push(resolve));
  }

  private give(key: string): void {
    const slot = this.held.get(key);
    if (slot === undefined) return;
    const next = slot.waiters.shift();
    if (next === undefined) this.held.delete(key);
    else next(); // the key passes to the next waiter without ever being free
  }
}
