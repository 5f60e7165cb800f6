import { describe, expect, it } from 'vitest';
import { sha256, toBase64, toHex } from '../../src/crypto/index.js';
import { formatCheckpoint, parseCheckpoint, type Checkpoint } from '../../src/checkpoint/index.js';
import { codeOf, vectors } from '../note/helpers.js';

const root = sha256(new Uint8Array(0));
const rootB64 = toBase64(root);

describe('when a checkpoint body is well formed', () => {
  it('reads origin, tree size and root hash', () => {
    const cp = parseCheckpoint(`example.com/log\n42\n${rootB64}\n`);
    expect(cp).toEqual({ origin: 'example.com/log', treeSize: 42, rootHash: root, extensions: [] });
  });
  it('reads extension lines', () => {
    expect(parseCheckpoint(`o\n0\n${rootB64}\nextra one\nextra two\n`).extensions).toEqual(['extra one', 'extra two']);
  });
  it('accepts the largest safe tree size, 2^53-1', () => {
    expect(parseCheckpoint(`o\n9007199254740991\n${rootB64}\n`).treeSize).toBe(Number.MAX_SAFE_INTEGER);
  });
  it('accepts any non-empty origin, spaces included (clients must not assume its form)', () => {
    expect(parseCheckpoint(`a log + more\n1\n${rootB64}\n`).origin).toBe('a log + more');
  });
  it('round-trips through formatCheckpoint, for every vector body', () => {
    for (const v of vectors.checkpoints) expect(formatCheckpoint(parseCheckpoint(v.body))).toBe(v.body);
    const cp: Checkpoint = { origin: 'o', treeSize: 5, rootHash: root, extensions: ['x'] };
    expect(parseCheckpoint(formatCheckpoint(cp))).toEqual(cp);
  });
});

describe('when a checkpoint body is malformed', () => {
  const cases: [string, string, string][] = [
    ['a tree size with a leading zero', `o\n042\n${rootB64}\n`, 'CHECKPOINT_BAD_SIZE'],
    ['a tree size of 00', `o\n00\n${rootB64}\n`, 'CHECKPOINT_BAD_SIZE'],
    ['a negative tree size', `o\n-1\n${rootB64}\n`, 'CHECKPOINT_BAD_SIZE'],
    ['a tree size with a plus sign', `o\n+1\n${rootB64}\n`, 'CHECKPOINT_BAD_SIZE'],
    ['a tree size in hex', `o\n0x10\n${rootB64}\n`, 'CHECKPOINT_BAD_SIZE'],
    ['a tree size with an exponent', `o\n1e3\n${rootB64}\n`, 'CHECKPOINT_BAD_SIZE'],
    ['a tree size with a space', `o\n 1\n${rootB64}\n`, 'CHECKPOINT_BAD_SIZE'],
    ['a tree size in full-width digits', `o\n１\n${rootB64}\n`, 'CHECKPOINT_BAD_SIZE'],
    ['an empty tree size', `o\n\n${rootB64}\n`, 'CHECKPOINT_BAD_SIZE'],
    ['a tree size of 2^53', `o\n9007199254740992\n${rootB64}\n`, 'CHECKPOINT_SIZE_TOO_LARGE'],
    ['a tree size of 2^64', `o\n18446744073709551616\n${rootB64}\n`, 'CHECKPOINT_SIZE_TOO_LARGE'],
    ['a tree size of 400 digits', `o\n${'9'.repeat(400)}\n${rootB64}\n`, 'CHECKPOINT_SIZE_TOO_LARGE'],
    ['a root hash of 31 bytes', `o\n1\n${toBase64(root.subarray(1))}\n`, 'CHECKPOINT_BAD_ROOT_HASH'],
    ['a root hash without padding', `o\n1\n${rootB64.replace('=', '')}\n`, 'CHECKPOINT_BAD_ROOT_HASH'],
    ['a root hash with nonzero padding bits', `o\n1\n${rootB64.replace('U=', 'V=')}\n`, 'CHECKPOINT_BAD_ROOT_HASH'],
    ['a root hash in hex', `o\n1\n${toHex(root)}\n`, 'CHECKPOINT_BAD_ROOT_HASH'],
    ['an empty origin', `\n1\n${rootB64}\n`, 'CHECKPOINT_MALFORMED'],
    ['only two lines', `o\n1\n`, 'CHECKPOINT_MALFORMED'],
    ['no final newline', `o\n1\n${rootB64}`, 'CHECKPOINT_MALFORMED'],
    ['an empty extension line', `o\n1\n${rootB64}\n\n`, 'CHECKPOINT_MALFORMED'],
    ['a carriage return', `o\r\n1\n${rootB64}\n`, 'CHECKPOINT_MALFORMED'],
    ['a NUL', `o\u0000\n1\n${rootB64}\n`, 'CHECKPOINT_MALFORMED'],
    ['an unpaired surrogate', `o\udfff\n1\n${rootB64}\n`, 'CHECKPOINT_MALFORMED'],
    ['an empty string', '', 'CHECKPOINT_MALFORMED'],
    ['a huge body', `o\n1\n${rootB64}\n${'x'.repeat(100_000)}\n`, 'CHECKPOINT_MALFORMED'],
  ];
  it.each(cases)('rejects %s', (_what, body, code) => {
    expect(codeOf(() => parseCheckpoint(body))).toBe(code);
  });
  it('rejects a value that is not a string', () => {
    expect(codeOf(() => parseCheckpoint(undefined as unknown as string))).toBe('CHECKPOINT_MALFORMED');
  });
});

describe('when formatting a checkpoint', () => {
  const good: Checkpoint = { origin: 'o', treeSize: 1, rootHash: root, extensions: [] };
  it.each([
    ['an empty origin', { ...good, origin: '' }, 'CHECKPOINT_MALFORMED'],
    ['an origin with a newline', { ...good, origin: 'a\nb' }, 'CHECKPOINT_MALFORMED'],
    ['an origin with a control character', { ...good, origin: 'a\tb' }, 'CHECKPOINT_MALFORMED'],
    ['a negative size', { ...good, treeSize: -1 }, 'CHECKPOINT_BAD_SIZE'],
    ['a fractional size', { ...good, treeSize: 1.5 }, 'CHECKPOINT_BAD_SIZE'],
    ['a size of 2^53', { ...good, treeSize: 2 ** 53 }, 'CHECKPOINT_BAD_SIZE'],
    ['a short root hash', { ...good, rootHash: root.subarray(0, 31) }, 'CHECKPOINT_BAD_ROOT_HASH'],
    ['an empty extension line', { ...good, extensions: [''] }, 'CHECKPOINT_MALFORMED'],
  ] as [string, Checkpoint, string][])('refuses %s', (_what, cp, code) => {
    expect(codeOf(() => formatCheckpoint(cp))).toBe(code);
  });
});
