/** Shared fixtures for the merkle tests: the vectors' tree, a node store with a bounds-checking reader. */
import { CompactRange, hashLeaf, nodeCoverage, type NodeID, type NodeReader } from '../../src/merkle/index.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { vectorLeafData } from '../vectors.js';

export const b64 = (s: string): Uint8Array => fromBase64(s, 32);

export function vectorLeafHashes(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => hashLeaf(vectorLeafData(i)));
}

/** Every stored node of a tree, as CompactRange.append reports them. */
export class NodeStore {
  readonly #nodes = new Map<string, Uint8Array>();
  readonly range = CompactRange.empty();

  constructor(leafHashes: readonly Uint8Array[] = []) {
    for (const h of leafHashes) this.append(h);
  }

  append(leafHash: Uint8Array): void {
    this.range.append(leafHash, (id, hash) => this.#nodes.set(`${id.level}/${id.index}`, hash));
  }

  get(id: NodeID): Uint8Array | undefined {
    return this.#nodes.get(`${id.level}/${id.index}`);
  }

  get count(): number {
    return this.#nodes.size;
  }

  /**
   * A reader for the tree of `treeSize` leaves: it refuses any node that is not a complete subtree of
   * that tree, so a proof that asks for a node from the future fails the test.
   */
  reader(treeSize: number): NodeReader {
    return (ids) =>
      ids.map((id) => {
        const h = this.get(id);
        if (nodeCoverage(id).end > treeSize || h === undefined) {
          throw new Error(`node ${id.level}/${id.index} is not stored in a tree of size ${treeSize}`);
        }
        return h;
      });
  }
}
