/**
 * Loads the test vectors (made by Go's golang.org/x/mod/sumdb tlog and note, an implementation independent of
 * this one). They are checked in under test/vectors/ (provenance and licence in its README.md), so a clone needs
 * nothing beside it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const VECTORS_DIR = fileURLToPath(new URL('./vectors/', import.meta.url));

export function loadVectors<T>(name: string): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, name), 'utf8')) as T;
}

export interface RootVector { treeSize: number; rootHash: string }
export interface InclusionVector { leafIndex: number; treeSize: number; leafHash: string; rootHash: string; inclusionProof: string[] }
export interface ConsistencyVector { fromSize: number; toSize: number; fromRoot: string; toRoot: string; consistencyProof: string[] }
export interface TilePathVector { level: number; index: number; width: number; path: string }
export interface TileVector { path: string; data: string }
export interface NoteVectors {
  checkpoints: { body: string; signed: string; treeSize: number }[];
  otherVerifierKey: string;
  signerKey: string;
  verifierKey: string;
}

/** Leaf i of the vectors' tree has the data ASCII "entry-<i>". */
export function vectorLeafData(i: number): Uint8Array {
  return new TextEncoder().encode(`entry-${i}`);
}
