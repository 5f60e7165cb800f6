/**
 * A log with an SM2 key beside its Ed25519 key: every checkpoint carries both lines (Ed25519 first), the
 * key file is 0600 and made with O_EXCL, a reopen keeps it, re-signing a tree is byte-identical (open relies
 * on it), a log that gains the key later dual-signs from then on, and open/fsck check the SM2 line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger, SM2_KEY_FILE, fsck, loadOrCreateSm2LogKey } from '../../src/ledger/index.js';
import { CheckpointSigner } from '../../src/ledger/checkpoint-signer.js';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { SignedRecord, readSignedRecord } from '../../src/storage/signed-record.js';
import { LedgerStore } from '../../src/storage/store.js';
import { checkpointKey } from '../../src/storage/keys.js';
import { KEY_TYPE_SM2, generateSigner, parseNote, parseSignerKey, parseVerifierKey } from '../../src/note/index.js';
import { fromBase64, sha256, toBase64, utf8 } from '../../src/crypto/index.js';
import { rejectionCode, tempDir } from './helpers.js';

const ORIGIN = 'example.com/sm2-log';
let t: ReturnType<typeof tempDir>;
let sm2Path: string;
beforeEach(() => {
  t = tempDir('cunzheng-sm2-');
  sm2Path = join(t.dir, SM2_KEY_FILE);
});
afterEach(() => t.cleanup());

const open = (sm2 = true): Promise<Ledger> => Ledger.open({ dataDir: t.dir, origin: ORIGIN, ...(sm2 ? { sm2KeyPath: sm2Path } : {}) });

async function withLedger<T>(sm2: boolean, f: (l: Ledger) => Promise<T>): Promise<T> {
  const l = await open(sm2);
  try {
    return await f(l);
  } finally {
    await l.close();
  }
}

/** The key names and types of a note's signature lines, in order. */
function lines(note: string, ed: string, sm2?: string): string[] {
  const ids = new Map<number, string>([[parseVerifierKey(ed).keyId, 'ed25519']]);
  if (sm2 !== undefined) ids.set(parseVerifierKey(sm2).keyId, 'sm2');
  return parseNote(note).signatures.map((s) => `${s.name} ${ids.get(s.keyId) ?? 'other'}`);
}

describe('a log with an SM2 key', () => {
  it('creates the key (0600, named after the origin) and signs every checkpoint with both keys, Ed25519 first', async () => {
    await withLedger(true, async (l) => {
      expect(statSync(sm2Path).mode & 0o777).toBe(0o600);
      const skey = parseSignerKey(readFileSync(sm2Path, 'utf8').trim());
      expect(skey).toMatchObject({ name: ORIGIN, type: KEY_TYPE_SM2 });
      const sm2 = parseVerifierKey(l.sm2VerifierKey!);
      expect(sm2).toMatchObject({ name: ORIGIN, type: 0xff, keyId: skey.keyId });
      expect(l.sm2VerifierKey).toMatch(new RegExp(`^${ORIGIN}\\+[0-9a-f]{8}\\+/wYIKoEcz1UBg3UE`)); // 0xff ‖ 06 08 2a 81 1c cf 55 01 83 75 ‖ 04…
      for (let i = 0; i < 3; i++) await l.append(utf8(`entry ${i}`));
      for (const size of [0, 1, 2, 3]) {
        const note = (await l.checkpointAt(size))!;
        expect(lines(note, l.verifierKey, l.sm2VerifierKey)).toEqual([`${ORIGIN} ed25519`, `${ORIGIN} sm2`]);
        expect(openCheckpoint(note, [sm2]).logSignatures).toEqual([{ name: ORIGIN, keyId: sm2.keyId, type: 'sm2' }]);
        expect(openCheckpoint(note, [parseVerifierKey(l.verifierKey)]).checkpoint.treeSize).toBe(size);
        expect(openCheckpoint(note, [parseVerifierKey(l.verifierKey), sm2]).logSignatures.map((s) => s.type)).toEqual(['ed25519', 'sm2']);
      }
      expect((await readSignedRecord(join(t.dir, 'checkpoint.signed')))!.note).toBe(l.checkpoint);
    });
  });

  it('keeps its key across reopens: the file is read, never rewritten', async () => {
    const first = await withLedger(true, async (l) => {
      await l.append(utf8('a'));
      return l.sm2VerifierKey;
    });
    const bytes = readFileSync(sm2Path);
    const mtime = statSync(sm2Path).mtimeMs;
    await withLedger(true, async (l) => {
      expect(l.sm2VerifierKey).toBe(first);
      await l.append(utf8('b'));
      expect(openCheckpoint(l.checkpoint, [parseVerifierKey(first!)]).checkpoint.treeSize).toBe(2);
    });
    expect(readFileSync(sm2Path).equals(bytes)).toBe(true);
    expect(statSync(sm2Path).mtimeMs).toBe(mtime);
  });

  it('creates the key with O_EXCL: a dangling symlink in its place is not followed, nothing is created', async () => {
    const target = join(t.dir, 'elsewhere');
    symlinkSync(target, sm2Path);
    await expect(loadOrCreateSm2LogKey(sm2Path, ORIGIN)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(existsSync(target)).toBe(false);
    // Two processes racing: exactly one creates the key, the other fails rather than overwrite it.
    const p = join(t.dir, 'race.key');
    const got = await Promise.allSettled([loadOrCreateSm2LogKey(p, ORIGIN), loadOrCreateSm2LogKey(p, ORIGIN)]);
    const made = got.filter((g) => g.status === 'fulfilled' && g.value.created);
    expect(made.length).toBe(1);
    const winner = (made[0] as PromiseFulfilledResult<{ verifierKey: string }>).value.verifierKey;
    for (const g of got) if (g.status === 'rejected') expect(g.reason).toMatchObject({ code: 'EEXIST' });
    expect((await loadOrCreateSm2LogKey(p, ORIGIN, false)).verifierKey).toBe(winner);
  });

  it('refuses a key file that is not its SM2 key: another type, another origin, garbage, or none when it may not create', async () => {
    writeFileSync(sm2Path, generateSigner(ORIGIN).signerKey + '\n', { mode: 0o600 });
    expect(await rejectionCode(open())).toBe('LOG_KEY_INVALID'); // an Ed25519 key
    writeFileSync(sm2Path, 'PRIVATE+KEY+garbage\n');
    expect(await rejectionCode(open())).toBe('LOG_KEY_INVALID');
    const other = join(t.dir, 'other.key');
    await loadOrCreateSm2LogKey(other, 'example.com/other-log');
    writeFileSync(sm2Path, readFileSync(other));
    expect(await rejectionCode(open())).toBe('LOG_ORIGIN_MISMATCH');
    expect(await rejectionCode(loadOrCreateSm2LogKey(join(t.dir, 'none.key'), ORIGIN, false))).toBe('LOG_KEY_MISSING');
    // The Ed25519 log.key must stay an Ed25519 key: an SM2 key there is refused.
    const u = tempDir('cunzheng-sm2-');
    try {
      writeFileSync(join(u.dir, 'log.key'), readFileSync(other));
      expect(await rejectionCode(Ledger.open({ dataDir: u.dir }))).toBe('LOG_KEY_INVALID');
    } finally {
      u.cleanup();
    }
  });
});

describe('re-signing is deterministic', () => {
  it('the signer gives the same two lines for the same tree, every time', async () => {
    const rec = await SignedRecord.open(join(t.dir, 'r'), true);
    const sm2 = (await loadOrCreateSm2LogKey(sm2Path, ORIGIN)).signer;
    const signer = new CheckpointSigner(parseSignerKey(generateSigner(ORIGIN).signerKey), rec, sm2);
    try {
      const root = sha256(utf8('five')).slice();
      const note = signer.sign(5, root);
      expect(parseNote(note).signatures.length).toBe(2);
      for (let i = 0; i < 5; i++) expect(signer.sign(5, root)).toBe(note);
      expect(signer.sign(6, root)).not.toBe(note);
    } finally {
      await signer.close();
    }
  });

  it('a durable tree whose checkpoint was released but not stored is signed again at open, byte for byte', async () => {
    const released = await withLedger(true, async (l) => {
      for (let i = 0; i < 4; i++) await l.append(utf8(`entry ${i}`));
      return l.checkpoint;
    });
    const store = await LedgerStore.open(join(t.dir, 'ledger'));
    await store.db.del(checkpointKey(4)); // the crash window: batch landed, checkpoint not yet in LevelDB
    await store.close();
    await withLedger(true, async (l) => {
      expect(l.treeSize).toBe(4);
      expect(l.checkpoint).toBe(released);
      expect(await l.checkpointAt(3)).toBeDefined();
    });
  });
});

describe('a log that gains an SM2 key later', () => {
  it('keeps its old checkpoints Ed25519-only and dual-signs from the next one; without --sm2 again it still opens', async () => {
    const ed = await withLedger(false, async (l) => {
      expect(l.sm2VerifierKey).toBeUndefined();
      await l.append(utf8('old'));
      expect(existsSync(sm2Path)).toBe(false);
      return l.verifierKey;
    });
    const sm2 = await withLedger(true, async (l) => {
      expect(l.verifierKey).toBe(ed);
      const sm2 = l.sm2VerifierKey!;
      expect(lines(l.checkpoint, ed, sm2)).toEqual([`${ORIGIN} ed25519`]); // the newest one at open: signed before
      await l.append(utf8('new'));
      expect(lines(l.checkpoint, ed, sm2)).toEqual([`${ORIGIN} ed25519`, `${ORIGIN} sm2`]);
      const old = (await l.checkpointAt(1))!;
      expect(lines(old, ed, sm2)).toEqual([`${ORIGIN} ed25519`]);
      expect(() => openCheckpoint(old, [parseVerifierKey(sm2)])).toThrow(expect.objectContaining({ code: 'NOTE_UNVERIFIED' }));
      return sm2;
    });
    expect((await fsck(t.dir)).problems).toEqual([]);
    await withLedger(false, async (l) => {
      expect(l.sm2VerifierKey).toBeUndefined();
      expect(lines((await l.checkpointAt(2))!, ed, sm2)).toEqual([`${ORIGIN} ed25519`, `${ORIGIN} sm2`]);
      await l.append(utf8('ed25519 only again'));
      expect(lines(l.checkpoint, ed, sm2)).toEqual([`${ORIGIN} ed25519`]);
    });
  });
});

/** Replaces the SM2 line of the checkpoint stored at `size` by one whose last signature byte is flipped. */
async function forgeSm2Line(size: number, sm2KeyId: number): Promise<void> {
  const store = await LedgerStore.open(join(t.dir, 'ledger'));
  try {
    const note = new TextDecoder().decode((await store.db.get(checkpointKey(size)))!);
    const forged = note.split('\n').map((line) => {
      if (!line.startsWith('— ')) return line;
      const [dash, name, b64] = line.split(' ');
      const sig = fromBase64(b64!);
      if (new DataView(sig.buffer, sig.byteOffset).getUint32(0) !== sm2KeyId) return line;
      sig[sig.length - 1]! ^= 0x01;
      return `${dash} ${name} ${toBase64(sig)}`;
    }).join('\n');
    expect(forged).not.toBe(note);
    await store.db.put(checkpointKey(size), utf8(forged));
  } finally {
    await store.close();
  }
}

describe('open and fsck check the SM2 line', () => {
  it('fsck of a dual-signed log checks both lines of every checkpoint: no problems', async () => {
    await withLedger(true, async (l) => {
      for (let i = 0; i < 5; i++) await l.append(utf8(`entry ${i}`));
    });
    expect(await fsck(t.dir)).toMatchObject({ ok: true, treeSize: 5, checkpoints: 6, problems: [] });
    // Given the SM2 key as "the" log key, fsck refuses: it checks against the Ed25519 key and reads the SM2 one itself.
    const sm2 = await withLedger(true, async (l) => l.sm2VerifierKey!);
    expect(await rejectionCode(fsck(t.dir, sm2))).toBe('LOG_KEY_INVALID');
  });

  it('a forged SM2 line by the log\'s SM2 key is corruption: fsck reports it, open refuses', async () => {
    const keyId = await withLedger(true, async (l) => {
      for (let i = 0; i < 3; i++) await l.append(utf8(`entry ${i}`));
      return parseVerifierKey(l.sm2VerifierKey!).keyId;
    });
    await forgeSm2Line(2, keyId);
    const r = await fsck(t.dir);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.objectContaining({ where: 'checkpoint 2', code: 'NOTE_BAD_SIGNATURE' })]);
    await forgeSm2Line(3, keyId); // the newest: open proves it before serving
    expect(await rejectionCode(open())).toBe('LEDGER_CORRUPT');
  });
});
