/**
 * The signed-checkpoint record and what the ledger proves with it at open: a store behind the newest
 * checkpoint it released refuses to serve (LEDGER_BEHIND_SIGNED_CHECKPOINT), one holding another tree at
 * that size refuses too (LEDGER_FORKED), a deleted record is noticed, a store made before the record
 * existed gets one, and the signer never signs a smaller tree or another root for a size it signed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger } from '../../src/ledger/index.js';
import { CheckpointSigner } from '../../src/ledger/checkpoint-signer.js';
import { RECORD_META } from '../../src/ledger/open-checks.js';
import { SignedRecord, readSignedRecord } from '../../src/storage/signed-record.js';
import { metaKey } from '../../src/storage/keys.js';
import { generateSigner, parseSignerKey } from '../../src/note/index.js';
import { sha256, utf8 } from '../../src/crypto/index.js';
import { rejectionCode, tempDir } from './helpers.js';

let t: ReturnType<typeof tempDir>;
beforeEach(() => (t = tempDir()));
afterEach(() => t.cleanup());

const record = (dir: string): string => join(dir, 'checkpoint.signed');

async function grow(dir: string, from: number, n: number): Promise<string> {
  const ledger = await Ledger.open({ dataDir: dir });
  try {
    for (let i = from; i < from + n; i++) await ledger.append(utf8(`entry ${i}`));
    return ledger.checkpoint;
  } finally {
    await ledger.close();
  }
}

describe('the signed-checkpoint record', () => {
  it('holds the newest released checkpoint after every commit', async () => {
    const ledger = await Ledger.open({ dataDir: t.dir });
    try {
      for (let i = 0; i < 5; i++) {
        await ledger.append(utf8(`entry ${i}`));
        expect((await readSignedRecord(record(t.dir)))!.note).toBe(ledger.checkpoint);
      }
      expect(statSync(record(t.dir)).mode & 0o777).toBe(0o600);
    } finally {
      await ledger.close();
    }
  });

  it('keeps the older slot when the newer one is torn, and refuses a file with no intact slot', async () => {
    await grow(t.dir, 0, 3);
    const r = await readSignedRecord(record(t.dir));
    const bytes = readFileSync(record(t.dir));
    const newer = (r!.sequence % 2) * 4096;
    bytes[newer + 40]! ^= 0x10;
    writeFileSync(record(t.dir), bytes);
    const older = await readSignedRecord(record(t.dir));
    expect(older!.sequence).toBe(r!.sequence - 1);
    bytes[4096 - newer + 40]! ^= 0x10;
    writeFileSync(record(t.dir), bytes);
    await expect(readSignedRecord(record(t.dir))).rejects.toMatchObject({ code: 'SIGNED_RECORD_CORRUPT' });
    expect(await rejectionCode(Ledger.open({ dataDir: t.dir }))).toBe('SIGNED_RECORD_CORRUPT');
  });
});

describe('when the store is behind the newest checkpoint it released', () => {
  it('refuses to open (LEDGER_BEHIND_SIGNED_CHECKPOINT), as after a restored backup or a lost log', async () => {
    await grow(t.dir, 0, 4);
    cpSync(join(t.dir, 'ledger'), join(t.dir, 'ledger.backup'), { recursive: true });
    await grow(t.dir, 4, 3); // released: a tree of 7
    rmSync(join(t.dir, 'ledger'), { recursive: true });
    renameSync(join(t.dir, 'ledger.backup'), join(t.dir, 'ledger'));
    const e = await Ledger.open({ dataDir: t.dir }).catch((x: unknown) => x as { code: string; message: string });
    expect(e).toMatchObject({ code: 'LEDGER_BEHIND_SIGNED_CHECKPOINT' });
    expect((e as unknown as Error).message).toMatch(/holds 4 entries, but a checkpoint of 7 entries was signed/);
  });

  it('opens a store that extends it (a crash after the batch, before the record was written)', async () => {
    await grow(t.dir, 0, 4);
    const old = readFileSync(record(t.dir));
    await grow(t.dir, 4, 3);
    writeFileSync(record(t.dir), old); // the record of the tree of 4
    const ledger = await Ledger.open({ dataDir: t.dir });
    try {
      expect(ledger.treeSize).toBe(7);
      expect((await readSignedRecord(record(t.dir)))!.note).toBe(ledger.checkpoint); // released again at open
    } finally {
      await ledger.close();
    }
  });
});

describe('when the store holds another tree than the one released', () => {
  it('refuses to open (LEDGER_FORKED) at the same size and at a smaller one', async () => {
    mkdirSync(join(t.dir, 'a'));
    await grow(join(t.dir, 'a'), 0, 2);
    cpSync(join(t.dir, 'a'), join(t.dir, 'b'), { recursive: true });
    await grow(join(t.dir, 'a'), 2, 3); // a: tree of 5 with entries 2, 3, 4
    const ledger = await Ledger.open({ dataDir: join(t.dir, 'b') });
    for (const x of ['x', 'y', 'z', 'w']) await ledger.append(utf8(x)); // b: 6 leaves, another tree at size 5
    await ledger.close();
    const aRecord = readFileSync(record(join(t.dir, 'a')));
    writeFileSync(record(join(t.dir, 'b')), aRecord);
    expect(await rejectionCode(Ledger.open({ dataDir: join(t.dir, 'b') }))).toBe('LEDGER_FORKED');
  });
});

describe('when the record is missing', () => {
  it('refuses a store that had one (SIGNED_RECORD_MISSING), and gives one to a store made before records existed', async () => {
    await grow(t.dir, 0, 2);
    rmSync(record(t.dir));
    expect(await rejectionCode(Ledger.open({ dataDir: t.dir }))).toBe('SIGNED_RECORD_MISSING');
    // A store from before: no record and no flag saying it had one.
    const { LedgerStore } = await import('../../src/storage/store.js');
    const store = await LedgerStore.open(join(t.dir, 'ledger'));
    await store.db.del(metaKey(RECORD_META));
    await store.close();
    const ledger = await Ledger.open({ dataDir: t.dir });
    try {
      expect(ledger.treeSize).toBe(2);
      expect((await readSignedRecord(record(t.dir)))!.note).toBe(ledger.checkpoint);
    } finally {
      await ledger.close();
    }
    expect(existsSync(record(t.dir))).toBe(true);
  });
});

describe('the checkpoint signer', () => {
  it('never signs a smaller tree, nor another root for a size it signed; the same tree signs identically', async () => {
    const rec = await SignedRecord.open(join(t.dir, 'r'), true);
    const signer = new CheckpointSigner(parseSignerKey(generateSigner('example.com/log').signerKey), rec);
    try {
      const root5 = sha256(utf8('five')).slice();
      const note = signer.sign(5, root5);
      expect(signer.sign(5, root5)).toBe(note); // Ed25519 is deterministic
      expect(() => signer.sign(4, sha256(utf8('four')).slice())).toThrow(expect.objectContaining({ code: 'LEDGER_SIGNING_REFUSED' }));
      expect(() => signer.sign(5, sha256(utf8('other')).slice())).toThrow(expect.objectContaining({ code: 'LEDGER_SIGNING_REFUSED' }));
      expect(() => signer.sign(6, sha256(utf8('six')).slice())).not.toThrow();
    } finally {
      await signer.close();
    }
  });
});

describe('the data directory', () => {
  it('is made private (0700) also when someone else made it', async () => {
    const dir = join(t.dir, 'data');
    mkdirSync(dir, { mode: 0o755 });
    await grow(dir, 0, 1);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'ledger')).mode & 0o777).toBe(0o700);
  });
});
