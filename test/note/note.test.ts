import { describe, expect, it } from 'vitest';
import { toBase64, utf8 } from '../../src/crypto/index.js';
import {
  MAX_NOTE_SIGNATURES, MAX_NOTE_SIZE, addSignatures, cosignerFromSeed, keyId, openNote, parseNote, parseVerifierKey,
  signNote, signerFromSeed, type NoteSigner,
} from '../../src/note/index.js';
import { codeOf, editLine, joinNote, splitNote, testSeed, vectors } from './helpers.js';

const log = parseVerifierKey(vectors.verifierKey);
const signed = vectors.checkpoints[2]!.signed; // tree size 7
const body = vectors.checkpoints[2]!.body;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** The next base64 digit: the same high bits, a nonzero lowest bit when `c` has a zero one. */
function nextBase64Char(c: string): string {
  return B64[B64.indexOf(c) + 1]!;
}

/** A syntactically valid line by a key nobody trusts here. */
function strangerLine(n: number): string {
  const bytes = new Uint8Array(68).fill(n % 256);
  return `— stranger.example/${n} ${toBase64(bytes)}`;
}

describe('when a signed note is well formed', () => {
  it('parses the text and each signature line', () => {
    const { text, signatures } = parseNote(signed);
    expect(text).toBe(body);
    expect(signatures).toHaveLength(1);
    expect(signatures[0]!.name).toBe('example.com/cunzheng-test');
    expect(signatures[0]!.keyId).toBe(log.keyId);
    expect(signatures[0]!.signature).toHaveLength(64);
    expect(`${signatures[0]!.line}\n`).toBe(signed.slice(body.length + 1));
  });
  it('accepts the note as bytes as well as a string', () => {
    expect(openNote(utf8(signed), [log]).text).toBe(body);
  });
  it('separates text and signatures at the last blank line, so the text may hold blank lines', () => {
    const signer = signerFromSeed('a.example', testSeed(1));
    for (const text of ['one\n\ntwo\n', 'ends blank\n\n', '\n', '\n\n\n', 'Ognuno sta solo sul cuor della terra\n\ned è subito sera.\n']) {
      const note = signNote(text, [signer]);
      expect(openNote(note, [parseVerifierKey(`a.example+${keyIdOf(signer)}+${toBase64(Uint8Array.of(1, ...signer.publicKey))}`)]).text).toBe(text);
    }
  });
});

function keyIdOf(s: NoteSigner): string {
  return s.keyId.toString(16).padStart(8, '0');
}

describe('when several keys sign', () => {
  const a = signerFromSeed('a.example', testSeed(1));
  const b = signerFromSeed('b.example', testSeed(2));
  const w = cosignerFromSeed('w.example', testSeed(3), () => 1700000000);
  const note = signNote(body, [a, b, w]);
  const trusted = [a, b, w].map((s) => parseVerifierKey(`${s.name}+${keyIdOf(s)}+${toBase64(Uint8Array.of(s.type, ...s.publicKey))}`));

  it('verifies every trusted signature', () => {
    expect(openNote(note, trusted).verified.map((v) => v.verifier.name)).toEqual(['a.example', 'b.example', 'w.example']);
  });
  it('still verifies with the lines reordered: order is not significant', () => {
    const { text, lines } = splitNote(note);
    const reordered = joinNote(text, [...lines].reverse());
    expect(reordered).not.toBe(note);
    const opened = openNote(reordered, trusted);
    expect(opened.verified.map((v) => v.verifier.name).sort()).toEqual(['a.example', 'b.example', 'w.example']);
  });
  it('ignores lines by unknown keys, keeping them as unverified', () => {
    const { text, lines } = splitNote(note);
    const opened = openNote(joinNote(text, [strangerLine(1), ...lines]), [trusted[0]!]);
    expect(opened.verified.map((v) => v.verifier.name)).toEqual(['a.example']);
    expect(opened.unverified.map((s) => s.name)).toEqual(['stranger.example/1', 'b.example', 'w.example']);
  });
  it('ignores a line that shares only the name, or only the key ID, of a trusted key', () => {
    const { text, lines } = splitNote(note);
    const sameName = editLine(lines[0]!, (bytes) => { bytes[0] = bytes[0]! ^ 0x80; });
    const sameId = lines[0]!.replace('a.example', 'z.example');
    const opened = openNote(joinNote(text, [sameName, sameId, lines[1]!]), trusted);
    expect(opened.verified.map((v) => v.verifier.name)).toEqual(['b.example']);
    expect(opened.unverified).toHaveLength(2);
    expect(codeOf(() => openNote(joinNote(text, [sameName, sameId]), trusted))).toBe('NOTE_UNVERIFIED');
  });
  it('drops identical repeated lines', () => {
    const { text, lines } = splitNote(note);
    expect(parseNote(joinNote(text, [lines[0]!, lines[0]!, lines[1]!])).signatures).toHaveLength(2);
  });
  it('rejects a second, different line by a trusted key that does not verify (NOTE_BAD_SIGNATURE)', () => {
    const { text, lines } = splitNote(note);
    const forged = editLine(lines[0]!, (bytes) => { bytes[20] = bytes[20]! ^ 1; });
    expect(codeOf(() => openNote(joinNote(text, [lines[0]!, forged]), trusted))).toBe('NOTE_BAD_SIGNATURE');
  });
  it('addSignatures appends a new signature and replaces one by the same key', () => {
    const once = signNote(body, [a]);
    const twice = addSignatures(once, [b]);
    expect(twice).toBe(signNote(body, [a, b]));
    expect(addSignatures(twice, [a])).toBe(signNote(body, [b, a]));
  });
  it('two trusted verifiers of the same name and key ID but different keys are refused (NOTE_AMBIGUOUS_VERIFIER)', () => {
    const clash = { ...trusted[0]!, publicKey: trusted[1]!.publicKey };
    expect(codeOf(() => openNote(note, [trusted[0]!, clash]))).toBe('NOTE_AMBIGUOUS_VERIFIER');
    expect(openNote(note, [trusted[0]!, trusted[0]!]).verified).toHaveLength(1);
  });
});

describe('when the signature lines are counted', () => {
  const { text, lines } = splitNote(signed);
  it('accepts 16 signature lines', () => {
    const many = Array.from({ length: 15 }, (_, i) => strangerLine(i));
    const opened = openNote(joinNote(text, [...many, lines[0]!]), [log]);
    expect(opened.unverified).toHaveLength(15);
    expect(opened.verified).toHaveLength(1);
  });
  it(`accepts ${MAX_NOTE_SIGNATURES} and rejects ${MAX_NOTE_SIGNATURES + 1} (NOTE_TOO_MANY_SIGNATURES)`, () => {
    const many = Array.from({ length: MAX_NOTE_SIGNATURES - 1 }, (_, i) => strangerLine(i));
    expect(openNote(joinNote(text, [...many, lines[0]!]), [log]).unverified).toHaveLength(MAX_NOTE_SIGNATURES - 1);
    expect(codeOf(() => openNote(joinNote(text, [...many, strangerLine(999), lines[0]!]), [log]))).toBe('NOTE_TOO_MANY_SIGNATURES');
  });
  it('counts repeated lines before dropping them', () => {
    const repeated = Array.from({ length: MAX_NOTE_SIGNATURES + 1 }, () => lines[0]!);
    expect(codeOf(() => parseNote(joinNote(text, repeated)))).toBe('NOTE_TOO_MANY_SIGNATURES');
  });
  it('refuses to sign with more signers than a note may carry', () => {
    const signers = Array.from({ length: MAX_NOTE_SIGNATURES + 1 }, (_, i) => signerFromSeed(`s${i}`, testSeed(i)));
    expect(codeOf(() => signNote('x\n', signers))).toBe('NOTE_TOO_MANY_SIGNATURES');
  });
});

describe('when a signed note has been tampered with', () => {
  const { text, lines } = splitNote(signed);
  const cases: [string, string, () => string | Uint8Array][] = [
    ['a flipped bit in the signature', 'NOTE_BAD_SIGNATURE', () => joinNote(text, [editLine(lines[0]!, (b) => { b[30] = b[30]! ^ 4; })])],
    ['a flipped bit in the text', 'NOTE_BAD_SIGNATURE', () => signed.replace('example.com', 'dxample.com')],
    ['a changed tree size', 'NOTE_BAD_SIGNATURE', () => signed.replace('\n7\n', '\n6\n')],
    ['a flipped bit in the key ID', 'NOTE_UNVERIFIED', () => joinNote(text, [editLine(lines[0]!, (b) => { b[3] = b[3]! ^ 1; })])],
    ['a truncated signature', 'NOTE_BAD_SIGNATURE', () => joinNote(text, [editLine(lines[0]!, (b) => b.subarray(0, 60))])],
    ['a missing blank line', 'NOTE_MALFORMED', () => signed.replace('=\n\n', '=\n')],
    ['no signature lines', 'NOTE_MALFORMED', () => text + '\n'],
    ['the final newline cut off', 'NOTE_MALFORMED', () => signed.slice(0, -1)],
    ['the note cut in the middle of the signature', 'NOTE_MALFORMED', () => signed.slice(0, signed.length - 20)],
    ['the note cut in the middle of the signature, newline restored', 'NOTE_BAD_SIGNATURE_LINE', () => `${signed.slice(0, signed.length - 20)}\n`],
    ['a hyphen instead of the em dash', 'NOTE_BAD_SIGNATURE_LINE', () => signed.replace('\u2014 ', '- ')],
    ['an en dash instead of the em dash', 'NOTE_BAD_SIGNATURE_LINE', () => signed.replace('\u2014 ', '\u2013 ')],
    ['no space after the em dash', 'NOTE_BAD_SIGNATURE_LINE', () => signed.replace('\u2014 ', '\u2014')],
    ['two spaces before the signature', 'NOTE_BAD_SIGNATURE_LINE', () => signed.replace('cunzheng-test t', 'cunzheng-test  t')],
    ['a blank line between signatures', 'NOTE_BAD_SIGNATURE', () => joinNote(text, [strangerLine(1), '', lines[0]!])],
    ['base64 without its padding', 'NOTE_BAD_SIGNATURE_LINE', () => signed.replace(/=\n$/, '\n')],
    ['base64 with nonzero padding bits', 'NOTE_BAD_SIGNATURE_LINE', () => signed.replace(/([A-Za-z0-9+/])=\n$/, (_m, c: string) => `${nextBase64Char(c)}=\n`)],
    ['URL-safe base64', 'NOTE_BAD_SIGNATURE_LINE', () => joinNote(text, [lines[0]!.replace(/\+/g, '-').replace(/\//g, '_')])],
    ['a signature of 4 bytes (a key ID alone)', 'NOTE_BAD_SIGNATURE_LINE', () => joinNote(text, [`— example.com/cunzheng-test ${toBase64(new Uint8Array(4))}`])],
    ['an empty signature', 'NOTE_BAD_SIGNATURE_LINE', () => joinNote(text, ['— example.com/cunzheng-test '])],
    ['a key name with a plus', 'NOTE_BAD_SIGNATURE_LINE', () => signed.replace('cunzheng-test t', 'cunzheng+test t')],
    ['a key name with a no-break space', 'NOTE_BAD_SIGNATURE_LINE', () => signed.replace('cunzheng-test t', 'cunzheng\u00a0test t')],
    ['CRLF line endings', 'NOTE_CONTROL_CHARACTER', () => signed.replace(/\n/g, '\r\n')],
    ['a NUL in the text', 'NOTE_CONTROL_CHARACTER', () => signed.replace('\n7\n', '\n7\u0000\n')],
    ['a tab in the text', 'NOTE_CONTROL_CHARACTER', () => signed.replace('example.com', 'example\t.com')],
    ['an escape in the signature line', 'NOTE_CONTROL_CHARACTER', () => signed.replace('\u2014 ', '\u2014 \u001b')],
    ['invalid UTF-8 (0xff)', 'NOTE_BAD_UTF8', () => Uint8Array.from([...utf8(signed.slice(0, 5)), 0xff, ...utf8(signed.slice(5))])],
    ['an overlong UTF-8 newline (0xc0 0x8a)', 'NOTE_BAD_UTF8', () => Uint8Array.from([...utf8(text), 0xc0, 0x8a, ...utf8(signed.slice(text.length + 1))])],
    ['a truncated em dash', 'NOTE_BAD_UTF8', () => { const b = utf8(signed); return Uint8Array.from([...b.subarray(0, text.length + 1), 0xe2, 0x80, ...b.subarray(text.length + 4)]); }],
    ['an unpaired surrogate in a string', 'NOTE_BAD_UTF8', () => signed.replace('example.com', 'example\ud800.com')],
    ['a note over the size limit', 'NOTE_TOO_LARGE', () => `${'x'.repeat(MAX_NOTE_SIZE)}\n${signed}`],
    ['a note over the size limit in bytes but not in characters', 'NOTE_TOO_LARGE', () => `${'中'.repeat(MAX_NOTE_SIZE / 2)}\n${signed}`],
  ];
  it.each(cases)('rejects %s (%s)', (_what, code, make) => {
    expect(codeOf(() => openNote(make(), [log]))).toBe(code);
  });
  it('keeps the verifying note untouched as the control case', () => {
    expect(openNote(signed, [log]).text).toBe(text);
  });
});

describe('when signing', () => {
  const signer = signerFromSeed('a.example', testSeed(1));
  it.each([
    ['an empty text', '', 'NOTE_MALFORMED'],
    ['a text without its final newline', 'abc', 'NOTE_MALFORMED'],
    ['a text with a carriage return', 'a\r\n', 'NOTE_CONTROL_CHARACTER'],
    ['a text with an unpaired surrogate', '\udc00\n', 'NOTE_BAD_UTF8'],
  ])('refuses %s', (_what, text, code) => {
    expect(codeOf(() => signNote(text, [signer]))).toBe(code);
  });
  it('refuses to sign with no signer', () => {
    expect(codeOf(() => signNote('x\n', []))).toBe('NOTE_MALFORMED');
  });
  it('refuses a signer with an invalid name (BAD_KEY_NAME)', () => {
    const bad: NoteSigner = { ...signer, name: 'a b', sign: signer.sign };
    expect(codeOf(() => signNote('x\n', [bad]))).toBe('BAD_KEY_NAME');
  });
  it('signs once per key when a signer is repeated', () => {
    expect(splitNote(signNote('x\n', [signer, signer])).lines).toHaveLength(1);
  });
  it('writes the key ID big-endian before the signature', () => {
    const line = splitNote(signNote('x\n', [signer])).lines[0]!;
    const id = keyId('a.example', 1, signer.publicKey);
    editLine(line, (b) => {
      expect(b).toHaveLength(68);
      expect(((b[0]! * 256 + b[1]!) * 256 + b[2]!) * 256 + b[3]!).toBe(id);
    });
  });
});
