/** A test log for the witness tests: n leaves, its signed checkpoints and consistency proofs (reference tree). */
import { randomBytes } from 'node:crypto';
import { signCheckpoint } from '../../src/checkpoint/index.js';
import { hashLeaf } from '../../src/merkle/index.js';
import { formatVerifierKey, signerFromSeed, type NoteSigner } from '../../src/note/index.js';
import { ReferenceTree } from '../merkle/reference.js';

export class TestLog {
  readonly signer: NoteSigner;
  readonly vkey: string;
  private leaves: Uint8Array[] = [];
  private tree = new ReferenceTree([]);

  constructor(readonly origin: string, seed: Uint8Array = randomBytes(32), readonly label = 'a') {
    this.signer = signerFromSeed(origin, seed);
    this.vkey = formatVerifierKey(origin, this.signer.publicKey);
  }

  /** Grows the tree to `n` leaves (leaf i is label ‖ i, so two logs with other labels fork). */
  grow(n: number): this {
    while (this.leaves.length < n) this.leaves.push(hashLeaf(new TextEncoder().encode(`${this.label} ${this.leaves.length}`)));
    this.tree = new ReferenceTree(this.leaves);
    return this;
  }

  root(n: number): Uint8Array {
    return this.tree.mth(0, n);
  }

  proof(m: number, n: number): Uint8Array[] {
    return this.tree.proof(m, n);
  }

  /** The signed checkpoint of the first `n` leaves (or any root given), signed by this log's key or `signer`. */
  checkpoint(n: number, opts: { root?: Uint8Array; signer?: NoteSigner; extra?: NoteSigner[] } = {}): string {
    return signCheckpoint({ origin: this.origin, treeSize: n, rootHash: opts.root ?? this.root(n), extensions: [] }, opts.signer ?? this.signer, opts.extra ?? []);
  }
}
