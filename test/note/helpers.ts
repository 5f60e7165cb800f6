/** Shared helpers for the note and checkpoint tests. */
import { expect } from 'vitest';
import { fromBase64, toBase64 } from '../../src/crypto/index.js';
import { CunzhengError } from '../../src/errors.js';
import { loadVectors, type NoteVectors } from '../vectors.js';

export const vectors = loadVectors<NoteVectors>('notes.json');

/** The code of the CunzhengError `fn` throws; fails the test on success or on any other exception. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CunzhengError) return e.code;
    throw new Error(`expected a CunzhengError, got ${String(e)}`, { cause: e });
  }
  expect.fail('expected a CunzhengError, but the call succeeded');
}

/** A deterministic 32-byte seed for test key `n`. */
export function testSeed(n: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (n * 31 + i * 7 + 1) % 256);
}

/** Splits a signed note into its text (final newline included) and its signature lines. */
export function splitNote(note: string): { text: string; lines: string[] } {
  const split = note.lastIndexOf('\n\n');
  return { text: note.slice(0, split + 1), lines: note.slice(split + 2, -1).split('\n') };
}

export function joinNote(text: string, lines: string[]): string {
  return `${text}\n${lines.map((l) => `${l}\n`).join('')}`;
}

/** Rewrites the decoded bytes of a signature line (key ID included) and re-encodes it canonically. */
export function editLine(line: string, edit: (bytes: Uint8Array) => Uint8Array | void): string {
  const space = line.lastIndexOf(' ');
  const bytes = fromBase64(line.slice(space + 1));
  const out = edit(bytes) ?? bytes;
  return `${line.slice(0, space + 1)}${toBase64(out)}`;
}
