import { describe, expect, it } from 'vitest';
import { ed25519Sign, ed25519Verify, fromBase64, publicKeyFromSeed, toBase64, utf8 } from '../../src/crypto/index.js';
import {
  COSIGNATURE_V1_SIZE, cosignatureTime, cosignatureVerifier, cosignedMessage, cosignerFromSeed, ed25519Verifier, keyId,
  openNote, parseNote, parseVerifierKey, signNote, signerFromSeed,
} from '../../src/note/index.js';
import { codeOf, editLine, joinNote, splitNote, testSeed, vectors } from './helpers.js';

const TIME = 1679315147;
const witnessSeed = testSeed(40);
const witnessPub = publicKeyFromSeed(witnessSeed);
const cosigner = cosignerFromSeed('witness.example/w1', witnessSeed, () => TIME);
const witness = cosignatureVerifier('witness.example/w1', witnessPub);
const logSigner = signerFromSeed('example.com/cunzheng-test', testSeed(41));
const logVerifier = ed25519Verifier('example.com/cunzheng-test', logSigner.publicKey);
const body = vectors.checkpoints[2]!.body;
const otherBody = vectors.checkpoints[3]!.body;

describe('when a witness cosigns a checkpoint', () => {
  const note = signNote(body, [logSigner, cosigner]);
  const line = splitNote(note).lines[1]!;

  it('uses key ID SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4]', () => {
    expect(cosigner.keyId).toBe(keyId('witness.example/w1', 0x04, witnessPub));
    expect(witness.keyId).toBe(cosigner.keyId);
    expect(cosigner.type).toBe(4);
  });
  it('writes key ID ‖ 8-byte big-endian timestamp ‖ 64-byte Ed25519 signature', () => {
    const bytes = fromBase64(line.slice(line.lastIndexOf(' ') + 1));
    expect(bytes).toHaveLength(4 + COSIGNATURE_V1_SIZE);
    expect(COSIGNATURE_V1_SIZE).toBe(72);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint32(0)).toBe(cosigner.keyId);
    expect(view.getBigUint64(4)).toBe(BigInt(TIME));
  });
  it('signs "cosignature/v1\\ntime <t>\\n" followed by the checkpoint body, as the spec spells it', () => {
    const bytes = fromBase64(line.slice(line.lastIndexOf(' ') + 1));
    const message = utf8(`cosignature/v1\ntime ${TIME}\n${body}`);
    expect(cosignedMessage(utf8(body), TIME)).toEqual(message);
    expect(ed25519Verify(witnessPub, message, bytes.subarray(12))).toBe(true);
    expect(ed25519Verify(witnessPub, utf8(body), bytes.subarray(12))).toBe(false);
  });
  it('verifies, and reports the timestamp', () => {
    const opened = openNote(note, [logVerifier, witness]);
    expect(opened.verified.map((v) => v.verifier.type)).toEqual([1, 4]);
    expect(cosignatureTime(opened.verified[1]!.signature.signature)).toBe(TIME);
  });
  it('verifies under a verifier parsed from a type 0x04 verifier key', () => {
    const vkey = `witness.example/w1+${witness.keyId.toString(16).padStart(8, '0')}+${toBase64(Uint8Array.of(4, ...witnessPub))}`;
    expect(openNote(note, [parseVerifierKey(vkey)]).verified).toHaveLength(1);
  });
  it('stamps each signature with the time of signing', () => {
    let now = 100;
    const ticking = cosignerFromSeed('witness.example/w1', witnessSeed, () => now++);
    const first = openNote(signNote(body, [ticking]), [witness]).verified[0]!.signature.signature;
    const second = openNote(signNote(body, [ticking]), [witness]).verified[0]!.signature.signature;
    expect([cosignatureTime(first), cosignatureTime(second)]).toEqual([100, 101]);
  });
  it('writes time 0 as "time 0" (no leading zeros)', () => {
    expect(new TextDecoder().decode(cosignedMessage(new Uint8Array(0), 0))).toBe('cosignature/v1\ntime 0\n');
  });
});

describe('when a cosignature does not match', () => {
  const note = signNote(body, [logSigner, cosigner]);
  const { text, lines } = splitNote(note);

  it('rejects a cosignature moved onto a different checkpoint body (NOTE_BAD_SIGNATURE)', () => {
    const other = splitNote(signNote(otherBody, [logSigner]));
    expect(codeOf(() => openNote(joinNote(other.text, [other.lines[0]!, lines[1]!]), [logVerifier, witness]))).toBe('NOTE_BAD_SIGNATURE');
  });
  it('rejects a changed timestamp (NOTE_BAD_SIGNATURE)', () => {
    const later = editLine(lines[1]!, (b) => { b[11] = b[11]! ^ 1; });
    expect(codeOf(() => openNote(joinNote(text, [lines[0]!, later]), [logVerifier, witness]))).toBe('NOTE_BAD_SIGNATURE');
  });
  it('rejects a timestamp beyond 2^53-1 even when it is signed correctly', () => {
    const time = 2n ** 60n;
    const sig = ed25519Sign(witnessSeed, utf8(`cosignature/v1\ntime ${time}\n${body}`));
    const bytes = new Uint8Array(76);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, witness.keyId);
    view.setBigUint64(4, time);
    bytes.set(sig, 12);
    const forged = `— witness.example/w1 ${toBase64(bytes)}`;
    expect(codeOf(() => openNote(joinNote(text, [forged]), [witness]))).toBe('NOTE_BAD_SIGNATURE');
    expect(codeOf(() => cosignatureTime(bytes.subarray(4)))).toBe('COSIGNATURE_BAD_TIME');
  });
  it('refuses to sign at a time that is not a safe non-negative integer (COSIGNATURE_BAD_TIME)', () => {
    for (const t of [-1, 1.5, 2 ** 53, Number.NaN]) {
      expect(codeOf(() => signNote(body, [cosignerFromSeed('w', witnessSeed, () => t)]))).toBe('COSIGNATURE_BAD_TIME');
    }
  });
  it('reads no timestamp from bytes of the wrong length (COSIGNATURE_MALFORMED)', () => {
    expect(codeOf(() => cosignatureTime(new Uint8Array(64)))).toBe('COSIGNATURE_MALFORMED');
  });
});

describe('when signature types are confused', () => {
  const plainByWitnessKey = signerFromSeed('witness.example/w1', witnessSeed);

  it('a cosignature verifier ignores a plain Ed25519 note signature by the same key and name (other key ID)', () => {
    const note = signNote(body, [plainByWitnessKey]);
    expect(parseNote(note).signatures[0]!.keyId).not.toBe(witness.keyId);
    expect(codeOf(() => openNote(note, [witness]))).toBe('NOTE_UNVERIFIED');
  });
  it('a cosignature verifier rejects a plain signature relabelled with the cosignature key ID', () => {
    const { text, lines } = splitNote(signNote(body, [plainByWitnessKey]));
    const relabelled = editLine(lines[0]!, (b) => { new DataView(b.buffer, b.byteOffset).setUint32(0, witness.keyId); });
    expect(codeOf(() => openNote(joinNote(text, [relabelled]), [witness]))).toBe('NOTE_BAD_SIGNATURE');
    // …and a plain signature over the bare text with a timestamp put in front of it
    const stamped = editLine(relabelled, (b) => Uint8Array.from([...b.subarray(0, 4), 0, 0, 0, 0, 0x64, 0x18, 0x50, 0xcb, ...b.subarray(4)]));
    expect(codeOf(() => openNote(joinNote(text, [stamped]), [witness]))).toBe('NOTE_BAD_SIGNATURE');
  });
  it('a plain Ed25519 verifier ignores a cosignature by the same key and name (other key ID)', () => {
    const plain = ed25519Verifier('witness.example/w1', witnessPub);
    expect(codeOf(() => openNote(signNote(body, [cosigner]), [plain]))).toBe('NOTE_UNVERIFIED');
  });
  it('a plain Ed25519 verifier rejects a cosignature relabelled with its key ID', () => {
    const plain = ed25519Verifier('witness.example/w1', witnessPub);
    const { text, lines } = splitNote(signNote(body, [cosigner]));
    const relabelled = editLine(lines[0]!, (b) => { new DataView(b.buffer, b.byteOffset).setUint32(0, plain.keyId); });
    expect(codeOf(() => openNote(joinNote(text, [relabelled]), [plain]))).toBe('NOTE_BAD_SIGNATURE');
    const stripped = editLine(relabelled, (b) => Uint8Array.from([...b.subarray(0, 4), ...b.subarray(12)]));
    expect(codeOf(() => openNote(joinNote(text, [stripped]), [plain]))).toBe('NOTE_BAD_SIGNATURE');
  });
});
