/**
 * SM2 signature lines on signed notes (type 0xff + SM2_NOTE_ALG_ID): the key ID, vkey and signer key are
 * the bytes src/note/README.md spells out (its worked example is checked here, line for line); a note signed
 * by Ed25519 and SM2 opens with either key alone and with both; other identifiers after 0xff are
 * refused; and the SM2 line verifies under `openssl pkeyutl` over the note text.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromBase64, fromHex, sha256, sm2PublicKeyFromPrivate, sm2PublicKeyToPem, sm2Verify, toBase64, toHex, utf8 } from '../../src/crypto/index.js';
import {
  KEY_TYPE_SM2, SM2_NOTE_ALG_ID, ed25519Verifier, formatSm2SignerKey, formatVerifierKey, generateSm2Signer, keyId, openNote,
  parseSignerKey, parseVerifierKey, signNote, signerFromSeed, sm2PublicKeyOf, sm2SignerFromPrivate, sm2Verifier,
} from '../../src/note/index.js';
import { codeOf, testSeed } from './helpers.js';

const NAME = 'cunzheng.example/log';
// The private key of the worked example of GB/T 32918.2 Annex A: a public, fixed key for a fixed example.
const D = fromHex('3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8');
const PUB = sm2PublicKeyFromPrivate(D);
const TEXT = 'cunzheng.example/log\n3\nOTa5JuP08B2GXuFAbyJp6YJfuh+nLdpfcfaIb8+M5Tg=\n';
// README.md's worked example; deterministic signing makes the line a constant.
const README = {
  keyId: '0157191d',
  vkey: 'cunzheng.example/log+0157191d+/wYIKoEcz1UBg3UECfnfMR5UIaFQ3X0WHkvFxnIXn60YM/wHa7CP81bzUCDM6kkM4md1pS3G6nGMwapgCu0F+/NeCEpmMvYHLamtEw==',
  line: '— cunzheng.example/log AVcZHTBEAiAuab0xpfCoRztsp2wxAoVqXz/5w4oSXBNg08OC+GCWCAIgP2aRxiQUsxEqzAIx5NRbG2ytT55pQ8ukaDQcHOAbbGQ=',
};

describe('the SM2 note key', () => {
  const v = sm2Verifier(NAME, PUB);
  it('has key material 0xff ‖ 06 08 2a 81 1c cf 55 01 83 75 ‖ 04 ‖ X ‖ Y and key ID SHA-256(name ‖ 0A ‖ that)[:4]', () => {
    expect(toHex(SM2_NOTE_ALG_ID)).toBe('06082a811ccf55018375');
    expect(KEY_TYPE_SM2).toBe(0xff);
    expect(v.type).toBe(0xff);
    expect(v.publicKey).toEqual(Uint8Array.from([...SM2_NOTE_ALG_ID, ...PUB]));
    expect(sm2PublicKeyOf(v)).toEqual(PUB);
    const digest = sha256(utf8(NAME), Uint8Array.of(0x0a, 0xff), SM2_NOTE_ALG_ID, PUB);
    expect(v.keyId).toBe(new DataView(digest.buffer, digest.byteOffset).getUint32(0));
    expect(v.keyId).toBe(keyId(NAME, 0xff, v.publicKey));
  });
  it('formats and parses the vkey of the README', () => {
    const vkey = formatVerifierKey(NAME, v.publicKey, 0xff);
    expect(vkey).toBe(`${NAME}+${README.keyId}+${toBase64(Uint8Array.from([0xff, ...SM2_NOTE_ALG_ID, ...PUB]))}`);
    expect(formatVerifierKey(NAME, PUB, 0xff)).toBe(vkey); // the bare 65-byte key gets the identifier
    expect(vkey).toBe(README.vkey);
    const parsed = parseVerifierKey(vkey);
    expect(parsed.type).toBe(0xff);
    expect(parsed.keyId).toBe(v.keyId);
    expect(sm2PublicKeyOf(parsed)).toEqual(PUB);
  });
  it('round-trips the signer key PRIVATE+KEY+<name>+<id>+base64(ff ‖ algid ‖ d)', () => {
    const skey = formatSm2SignerKey(NAME, D);
    expect(skey).toBe(`PRIVATE+KEY+${NAME}+${README.keyId}+${toBase64(Uint8Array.from([0xff, ...SM2_NOTE_ALG_ID, ...D]))}`);
    const signer = parseSignerKey(skey);
    expect(signer.type).toBe(0xff);
    expect(signer.keyId).toBe(v.keyId);
    expect(String(signer)).not.toContain(toBase64(D).slice(0, 10));
    expect(JSON.stringify(signer)).not.toContain(toHex(D).slice(0, 10));
    const g = generateSm2Signer(NAME);
    expect(parseSignerKey(g.signerKey).keyId).toBe(g.signer.keyId);
    expect(parseVerifierKey(g.verifierKey).keyId).toBe(g.signer.keyId);
  });
  it('refuses other identifiers after 0xff, wrong lengths, points off the curve', () => {
    const material = (bytes: number[]) => toBase64(Uint8Array.from(bytes));
    const vkeyOf = (bytes: number[]) => `${NAME}+${keyId(NAME, bytes[0]!, Uint8Array.from(bytes.slice(1))).toString(16).padStart(8, '0')}+${material(bytes)}`;
    const other = [0xff, 0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x76, ...PUB]; // …501 → …502
    expect(codeOf(() => parseVerifierKey(vkeyOf(other)))).toBe('UNSUPPORTED_KEY_TYPE');
    expect(codeOf(() => parseVerifierKey(vkeyOf([0xff])))).toBe('UNSUPPORTED_KEY_TYPE');
    expect(codeOf(() => parseVerifierKey(vkeyOf([0xff, ...SM2_NOTE_ALG_ID, ...PUB.subarray(1)])))).toBe('BAD_VERIFIER_KEY');
    const off = PUB.slice();
    off[64]! ^= 1;
    expect(codeOf(() => parseVerifierKey(vkeyOf([0xff, ...SM2_NOTE_ALG_ID, ...off])))).toBe('BAD_VERIFIER_KEY');
    const skey = (bytes: number[]) => `PRIVATE+KEY+${NAME}+${README.keyId}+${material(bytes)}`;
    expect(codeOf(() => parseSignerKey(skey([0xff, 0x06, 0x03, 1, 2, 3, ...D])))).toBe('UNSUPPORTED_KEY_TYPE');
    expect(codeOf(() => parseSignerKey(skey([0xff, ...SM2_NOTE_ALG_ID, ...D, 0])))).toBe('BAD_SIGNER_KEY');
    expect(codeOf(() => parseSignerKey(skey([0xff, ...SM2_NOTE_ALG_ID, ...new Uint8Array(32)])))).toBe('BAD_SIGNER_KEY');
    expect(codeOf(() => parseSignerKey(skey([0xff, ...SM2_NOTE_ALG_ID, ...D]).replace(README.keyId, '00000000')))).toBe('KEY_ID_MISMATCH');
  });
});

describe('a note signed with SM2', () => {
  const sm2 = sm2SignerFromPrivate(NAME, D);
  const ed = signerFromSeed(NAME, testSeed(7));
  const sm2v = parseVerifierKey(README.vkey);
  const edv = ed25519Verifier(NAME, ed.publicKey);

  it('carries key ID ‖ DER(r, s) over the note text, with the default identifier; the same line every time', () => {
    const note = signNote(TEXT, [sm2]);
    const line = note.split('\n').at(-2)!;
    expect(line.startsWith(`— ${NAME} `)).toBe(true);
    const bytes = fromBase64(line.slice(line.lastIndexOf(' ') + 1));
    expect(toHex(bytes.subarray(0, 4))).toBe(README.keyId);
    expect(bytes[4]).toBe(0x30);
    expect(sm2Verify(PUB, utf8(TEXT), bytes.subarray(4))).toBe(true);
    expect(signNote(TEXT, [sm2])).toBe(note);
    expect(line).toBe(README.line);
  });
  it('opens with the Ed25519 key alone, the SM2 key alone, and both', () => {
    const note = signNote(TEXT, [ed, sm2]);
    expect(openNote(note, [edv]).verified.map((s) => s.verifier.type)).toEqual([0x01]);
    expect(openNote(note, [sm2v]).verified.map((s) => s.verifier.type)).toEqual([0xff]);
    expect(openNote(note, [edv, sm2v]).verified.map((s) => s.verifier.type)).toEqual([0x01, 0xff]);
    expect(openNote(note, [sm2v]).unverified).toHaveLength(1);
  });
  it('a forged SM2 line by the trusted key rejects the note', () => {
    const note = signNote(TEXT, [ed, sm2]);
    const lines = note.split('\n');
    const sig = fromBase64(lines.at(-2)!.split(' ').at(-1)!);
    sig[sig.length - 1]! ^= 1;
    lines[lines.length - 2] = `— ${NAME} ${toBase64(sig)}`;
    expect(codeOf(() => openNote(lines.join('\n'), [edv, sm2v]))).toBe('NOTE_BAD_SIGNATURE');
    expect(openNote(lines.join('\n'), [edv]).verified).toHaveLength(1); // untrusted lines are ignored
  });
});

describe('the SM2 line under openssl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cunzheng-note-sm2-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678 accepts it over the note text', () => {
    const { signer, verifierKey } = generateSm2Signer(NAME);
    const note = signNote(TEXT, [signer]);
    const line = note.split('\n').at(-2)!;
    const der = fromBase64(line.slice(line.lastIndexOf(' ') + 1)).subarray(4);
    const text = note.slice(0, note.lastIndexOf('\n\n') + 1); // the text, its final newline included
    expect(text).toBe(TEXT);
    writeFileSync(join(dir, 'pub.pem'), sm2PublicKeyToPem(sm2PublicKeyOf(parseVerifierKey(verifierKey))));
    writeFileSync(join(dir, 'sig.der'), der);
    writeFileSync(join(dir, 'msg'), text);
    const args = ['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678', '-pubin', '-inkey', 'pub.pem', '-sigfile', 'sig.der', '-in', 'msg'];
    const ok = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    expect(ok.stdout).toContain('Signature Verified Successfully');
    writeFileSync(join(dir, 'msg'), text.replace('\n3\n', '\n4\n'));
    expect(spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' }).stdout).toContain('Verification Failure');
  });
});
