/**
 * The prover: inclusion and consistency proofs over the committed tree, at any size up to the current
 * one. It reads nodes through the tree (edge tiles, the tile cache, the store) and never writes.
 */
import { CunzhengError } from '../errors.js';
import { hashChildren, buildConsistencyProof, inclusionNodes, planRunProofs, rehash } from '../merkle/index.js';
import type { LedgerTree } from './tree.js';

export class Prover {
  /** Ephemeral proof nodes by "treeSize/level/index" (bounded; entries never go stale: trees never change). */
  private readonly ephemeral = new Map<string, Promise<Uint8Array>>();

  /** `tree`: the committed tree (it is replaced when the ledger resyncs); `treeSize`: the released size. */
  constructor(private readonly tree: () => LedgerTree, private readonly treeSize: () => number) {}

  checkSize(treeSize: unknown, what: string): number {
    if (typeof treeSize !== 'number' || !Number.isSafeInteger(treeSize) || treeSize < 0) {
      throw new CunzhengError('LEDGER_BAD_SIZE', `${what} must be a non-negative integer`);
    }
    if (treeSize > this.treeSize()) {
      throw new CunzhengError('LEDGER_SIZE_BEYOND_TREE', `${what} ${treeSize} is beyond the tree size ${this.treeSize()}`, { details: { treeSize: this.treeSize() } });
    }
    return treeSize;
  }

  /**
   * The inclusion proofs of the consecutive leaves [first, first + count) in the tree of `treeSize`, built
   * together: neighbouring leaves share most of their proof nodes (1,000 consecutive leaves need about
   * 2,000 distinct nodes for 20,000 proof hashes), so each node is read once and each ephemeral node
   * folded once, and shared nodes are the same Uint8Array objects in every proof that has them.
   */
  async runProofs(first: number, count: number, treeSize: number): Promise<Uint8Array[][]> {
    this.checkSize(treeSize, 'size');
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || first < 0 || count < 0 || first + count > treeSize) {
      throw new CunzhengError('LEDGER_BAD_INDEX', `leaves [${String(first)}, +${String(count)}) are not all below the tree size ${treeSize}`);
    }
    // Planned in merkle/ (each distinct node read once, each fork's tail once), read in one call.
    const plan = planRunProofs(first, count, treeSize);
    return plan.assemble(plan.ids.length === 0 ? [] : await this.tree().readNodes(plan.ids));
  }

  /** The inclusion proof of `leafIndex` in the tree of `treeSize` (any size up to the current one). */
  async inclusionProof(leafIndex: number, treeSize: number): Promise<Uint8Array[]> {
    this.checkSize(treeSize, 'size');
    if (typeof leafIndex !== 'number' || !Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) {
      throw new CunzhengError('LEDGER_BAD_INDEX', `index must be an integer below the tree size ${treeSize}`);
    }
    const nodes = inclusionNodes(leafIndex, treeSize);
    const run = nodes.end - nodes.begin;
    if (run <= 1) return rehash(nodes, await this.tree().readNodes(nodes.ids));
    // The ephemeral node (the right border folded into one hash) is the same for every leaf whose proof
    // passes it in a tree of this size: every receipt of a group shares it. Hash it once; the promise is
    // cached, so the receipts of a group, built concurrently, wait for one computation.
    const key = `${treeSize}/${nodes.ephem.level}/${nodes.ephem.index}`;
    let ephem = this.ephemeral.get(key);
    if (ephem === undefined) {
      const runIds = nodes.ids.slice(nodes.begin, nodes.end);
      ephem = this.tree().readNodes(runIds).then((hs) => {
        let h = hs[0]!;
        for (let i = 1; i < hs.length; i++) h = hashChildren(hs[i]!, h);
        return h;
      });
      if (this.ephemeral.size >= 1024) this.ephemeral.delete(this.ephemeral.keys().next().value as string);
      this.ephemeral.set(key, ephem);
      ephem.catch(() => this.ephemeral.delete(key));
    }
    const ids = [...nodes.ids.slice(0, nodes.begin), ...nodes.ids.slice(nodes.end)];
    const hashes = await this.tree().readNodes(ids);
    hashes.splice(nodes.begin, 0, await ephem);
    return hashes;
  }

  /** The consistency proof from the tree of `from` leaves to the tree of `to` leaves. */
  async consistencyProof(from: number, to: number): Promise<Uint8Array[]> {
    this.checkSize(from, 'from');
    this.checkSize(to, 'to');
    if (from > to) throw new CunzhengError('LEDGER_BAD_SIZE', `from ${from} is larger than to ${to}`);
    return buildConsistencyProof(from, to, this.tree().readNodes);
  }
}
