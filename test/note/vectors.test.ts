/**
 * The Go vectors were signed by Go's golang.org/x/mod/sumdb/note (see test/vectors/README.md):
 * this implementation must open them, and, Ed25519 being deterministic, reproduce them byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { fromBase64, publicKeyFromSeed, toBase64 } from '../../src/crypto/index.js';
import { openCheckpoint, parseCheckpoint } from '../../src/checkpoint/index.js';
import { formatSignerKey, formatVerifierKey, openNote, parseSignerKey, parseVerifierKey, signNote } from '../../src/note/index.js';
import { loadVectors, type RootVector } from '../vectors.js';
import { codeOf, vectors } from './helpers.js';

const roots = new Map(loadVectors<{ vectors: RootVector[] }>('roots.json').vectors.map((r) => [r.treeSize, r.rootHash]));
const seed = fromBase64(vectors.signerKey.slice(vectors.signerKey.lastIndexOf('+') + 1)).subarray(1);

describe('when reading the Go sumdb/note vectors', () => {
  it('has vectors to read', () => {
    expect(vectors.checkpoints.length).toBeGreaterThanOrEqual(4);
  });

  it('opens every signed checkpoint with the verifier key', () => {
    const verifier = parseVerifierKey(vectors.verifierKey);
    for (const v of vectors.checkpoints) {
      const opened = openNote(v.signed, [verifier]);
      expect(opened.text).toBe(v.body);
      expect(opened.verified.map((s) => s.verifier)).toEqual([verifier]);
      expect(opened.unverified).toEqual([]);
    }
  });

  it('reads the tree size of the vector and the root hash of roots.json from each checkpoint', () => {
    const verifier = parseVerifierKey(vectors.verifierKey);
    for (const v of vectors.checkpoints) {
      const { checkpoint } = openCheckpoint(v.signed, [verifier], { origin: verifier.name });
      expect(checkpoint.treeSize).toBe(v.treeSize);
      expect(toBase64(checkpoint.rootHash)).toBe(roots.get(v.treeSize));
      expect(checkpoint.origin).toBe('example.com/cunzheng-test');
      expect(parseCheckpoint(v.body)).toEqual(checkpoint);
    }
  });

  it('reproduces every signed note byte for byte from the signer key', () => {
    const signer = parseSignerKey(vectors.signerKey);
    for (const v of vectors.checkpoints) expect(signNote(v.body, [signer])).toBe(v.signed);
  });

  it('derives the verifier key and the signer key from the seed', () => {
    expect(formatVerifierKey('example.com/cunzheng-test', publicKeyFromSeed(seed))).toBe(vectors.verifierKey);
    expect(formatSignerKey('example.com/cunzheng-test', seed)).toBe(vectors.signerKey);
    expect(toBase64(parseSignerKey(vectors.signerKey).publicKey)).toBe(toBase64(parseVerifierKey(vectors.verifierKey).publicKey));
  });

  it('parses the other verifier key, which verifies nothing here (NOTE_UNVERIFIED)', () => {
    const other = parseVerifierKey(vectors.otherVerifierKey);
    expect(other.name).toBe('witness.example/w1');
    expect(formatVerifierKey(other.name, other.publicKey, other.type)).toBe(vectors.otherVerifierKey);
    for (const v of vectors.checkpoints) expect(codeOf(() => openNote(v.signed, [other]))).toBe('NOTE_UNVERIFIED');
  });
});
