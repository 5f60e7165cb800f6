/**
 * Properties over random input: every parser either succeeds or throws a coded CunzhengError, and signing
 * then opening gives back the text that was signed.
 */
import { fuzzRuns } from '../support/fuzz.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBase64, utf8 } from '../../src/crypto/index.js';
import { openCheckpoint, parseCheckpoint } from '../../src/checkpoint/index.js';
import {
  cosignatureVerifier, cosignerFromSeed, ed25519Verifier, isValidKeyName, openNote, parseNote, parseSignerKey,
  parseVerifierKey, signNote, signerFromSeed,
} from '../../src/note/index.js';
import { CunzhengError } from '../../src/errors.js';
import { vectors } from './helpers.js';

const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const log = parseVerifierKey(vectors.verifierKey);
const signed = vectors.checkpoints[2]!.signed;

/** Runs `fn`; any exception must be a CunzhengError with a SCREAMING_SNAKE_CASE code. */
function onlyCoded(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof CunzhengError)) throw e;
    expect(e.code).toMatch(CODE);
  }
}

// Text likely to reach deep into the parsers: the note alphabet, plus anything at all.
const noteish = fc.oneof(
  fc.string({ unit: fc.constantFrom('\n', '\u2014', ' ', '+', '=', 'a', '0', '1', '/', '-', '\r', '\u0000', '\ud800') }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
);

const PARSERS: [string, (s: string) => unknown][] = [
  ['parseNote', (s) => parseNote(s)],
  ['openNote', (s) => openNote(s, [log])],
  ['parseVerifierKey', (s) => parseVerifierKey(s)],
  ['parseSignerKey', (s) => parseSignerKey(s)],
  ['parseCheckpoint', (s) => parseCheckpoint(s)],
  ['openCheckpoint', (s) => openCheckpoint(s, [log])],
];

describe('when parsers get random input', () => {
  it.each(PARSERS)('%s throws only coded errors on random strings', (_name, parse) => {
    fc.assert(fc.property(noteish, (s) => onlyCoded(() => parse(s))), { numRuns: fuzzRuns(300) });
  });
  it('parseNote and openNote throw only coded errors on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
      onlyCoded(() => parseNote(b));
      onlyCoded(() => openNote(b, [log]));
    }), { numRuns: fuzzRuns(300) });
  });
  it('verifier and signer keys built from random parts throw only coded errors', () => {
    const part = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.stringMatching(/^[0-9a-f]{8}$/));
    const material = fc.uint8Array({ maxLength: 40 }).map(toBase64);
    fc.assert(fc.property(part, part, material, (name, hex, b64) => {
      onlyCoded(() => parseVerifierKey(`${name}+${hex}+${b64}`));
      onlyCoded(() => parseSignerKey(`PRIVATE+KEY+${name}+${hex}+${b64}`));
    }), { numRuns: fuzzRuns(300) });
  });
  it('a mutated vector note never opens to another text', () => {
    const mutation = fc.record({
      at: fc.nat({ max: signed.length }),
      cut: fc.nat({ max: 3 }),
      insert: fc.string({ unit: fc.constantFrom('\n', '\u2014', ' ', 'A', '=', '+', '7'), maxLength: 3 }),
    });
    fc.assert(fc.property(mutation, ({ at, cut, insert }) => {
      const msg = signed.slice(0, at) + insert + signed.slice(at + cut);
      try {
        const opened = openCheckpoint(msg, [log]);
        expect(opened.note.text).toBe(vectors.checkpoints[2]!.body);
      } catch (e) {
        if (!(e instanceof CunzhengError)) throw e;
      }
    }), { numRuns: fuzzRuns(500) });
  });
});

// Note texts: lines of any characters but ASCII controls, each ending in \n.
const line = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/[\x00-\x1f]/g, '.'));
const noteText = fc.array(line, { minLength: 1, maxLength: 6 }).map((lines) => lines.map((l) => `${l}\n`).join(''));
const keyName = fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).filter(isValidKeyName);
const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('when signing random texts with random keys', () => {
  it('opens to the same text, verified by the key', () => {
    fc.assert(fc.property(noteText, keyName, seed, (text, name, s) => {
      const signer = signerFromSeed(name, s);
      const note = signNote(text, [signer]);
      const opened = openNote(note, [ed25519Verifier(name, signer.publicKey)]);
      expect(opened.text).toBe(text);
      expect(opened.verified).toHaveLength(1);
      expect(openNote(utf8(note), [ed25519Verifier(name, signer.publicKey)]).text).toBe(text);
    }), { numRuns: 150 });
  });
  it('opens a cosigned text with its time', () => {
    fc.assert(fc.property(noteText, keyName, seed, fc.nat({ max: Number.MAX_SAFE_INTEGER }), (text, name, s, time) => {
      const cosigner = cosignerFromSeed(name, s, () => time);
      const opened = openNote(signNote(text, [cosigner]), [cosignatureVerifier(name, cosigner.publicKey)]);
      expect(opened.text).toBe(text);
      expect(opened.verified).toHaveLength(1);
    }), { numRuns: 100 });
  });
});
