import { describe, expect, it } from 'vitest';
import { sha256, toBase64 } from '../../src/crypto/index.js';
import { openCheckpoint, signCheckpoint, type Checkpoint } from '../../src/checkpoint/index.js';
import {
  cosignatureVerifier, cosignerFromSeed, ed25519Verifier, parseSignerKey, parseVerifierKey, signNote, signerFromSeed,
} from '../../src/note/index.js';
import { codeOf, testSeed, vectors } from '../note/helpers.js';

const log = parseSignerKey(vectors.signerKey);
const logKey = parseVerifierKey(vectors.verifierKey);
const origin = 'example.com/cunzheng-test';
const cp: Checkpoint = { origin, treeSize: 1234, rootHash: sha256(new Uint8Array([1])), extensions: [] };
const w1 = cosignerFromSeed('witness.example/w1', testSeed(50), () => 1700000001);
const w2 = cosignerFromSeed('witness.example/w2', testSeed(51), () => 1700000002);
const w1Key = cosignatureVerifier(w1.name, w1.publicKey);
const w2Key = cosignatureVerifier(w2.name, w2.publicKey);

describe('when the log signs a checkpoint', () => {
  it('opens under the log key and gives the checkpoint back', () => {
    const opened = openCheckpoint(signCheckpoint(cp, log), [logKey], { origin });
    expect(opened.checkpoint).toEqual(cp);
    expect(opened.cosignatures).toEqual([]);
    expect(opened.note.verified[0]!.verifier).toBe(logKey);
  });
  it('reproduces the Go-signed vectors', () => {
    const v = vectors.checkpoints[1]!;
    const opened = openCheckpoint(v.signed, [logKey]);
    expect(signCheckpoint(opened.checkpoint, log)).toBe(v.signed);
  });
  it('reports the trusted witnesses that cosigned, with their times, and ignores the others', () => {
    const note = signCheckpoint(cp, log, [w1, w2]);
    const opened = openCheckpoint(note, [logKey, w2Key], { origin });
    expect(opened.cosignatures).toEqual([{ name: 'witness.example/w2', keyId: w2.keyId, time: 1700000002 }]);
    expect(opened.note.unverified.map((s) => s.name)).toEqual(['witness.example/w1']);
    expect(openCheckpoint(note, [logKey, w1Key, w2Key]).cosignatures.map((c) => c.time)).toEqual([1700000001, 1700000002]);
  });
  it('refuses to sign with a key not named after the origin', () => {
    expect(codeOf(() => signCheckpoint({ ...cp, origin: 'other.example' }, log))).toBe('CHECKPOINT_ORIGIN_MISMATCH');
  });
  it('refuses to sign with a cosigner as the log key', () => {
    expect(codeOf(() => signCheckpoint({ ...cp, origin: w1.name }, w1))).toBe('UNSUPPORTED_KEY_TYPE');
  });
});

describe('when a signed checkpoint is not the trusted log’s', () => {
  it('rejects another origin than the one asked for (CHECKPOINT_ORIGIN_MISMATCH)', () => {
    expect(codeOf(() => openCheckpoint(signCheckpoint(cp, log), [logKey], { origin: 'example.com/other' }))).toBe('CHECKPOINT_ORIGIN_MISMATCH');
  });
  it('rejects a checkpoint that only a witness signed (CHECKPOINT_UNSIGNED_BY_LOG)', () => {
    const note = signNote(`${origin}\n5\n${toBase64(cp.rootHash)}\n`, [w1]);
    expect(codeOf(() => openCheckpoint(note, [logKey, w1Key]))).toBe('CHECKPOINT_UNSIGNED_BY_LOG');
  });
  it('rejects a checkpoint signed by a trusted log key of another name (CHECKPOINT_UNSIGNED_BY_LOG)', () => {
    const other = signerFromSeed('example.com/other', testSeed(52));
    const note = signNote(`${origin}\n5\n${toBase64(cp.rootHash)}\n`, [other]);
    expect(codeOf(() => openCheckpoint(note, [logKey, ed25519Verifier(other.name, other.publicKey)]))).toBe('CHECKPOINT_UNSIGNED_BY_LOG');
  });
  it('rejects a checkpoint no trusted key signed (NOTE_UNVERIFIED)', () => {
    expect(codeOf(() => openCheckpoint(signCheckpoint(cp, log), [w1Key]))).toBe('NOTE_UNVERIFIED');
  });
  it('rejects a forged cosignature of a trusted witness even when the log signature is good (NOTE_BAD_SIGNATURE)', () => {
    const good = signCheckpoint(cp, log, [w1]);
    const lying = signCheckpoint({ ...cp, treeSize: 1 }, log, [w1]);
    const forged = good.slice(0, good.lastIndexOf('—')) + lying.slice(lying.lastIndexOf('—'));
    expect(codeOf(() => openCheckpoint(forged, [logKey, w1Key]))).toBe('NOTE_BAD_SIGNATURE');
  });
});

describe('when a trusted log signed a malformed checkpoint body', () => {
  it.each([
    ['a tree size with leading zeros', `${origin}\n007\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n`, 'CHECKPOINT_BAD_SIZE'],
    ['a negative tree size', `${origin}\n-7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n`, 'CHECKPOINT_BAD_SIZE'],
    ['a tree size beyond 2^53-1', `${origin}\n9007199254740993\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n`, 'CHECKPOINT_SIZE_TOO_LARGE'],
    ['a root hash of the wrong length', `${origin}\n7\nAAAA\n`, 'CHECKPOINT_BAD_ROOT_HASH'],
    ['a missing root hash', `${origin}\n7\n`, 'CHECKPOINT_MALFORMED'],
  ])('rejects %s', (_what, body, code) => {
    expect(codeOf(() => openCheckpoint(signNote(body, [log]), [logKey]))).toBe(code);
  });
});
