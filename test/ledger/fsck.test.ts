import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger, fsck } from '../../src/ledger/index.js';
import { checkpointKey, entryKey, tileKey } from '../../src/storage/keys.js';
import { LedgerStore } from '../../src/storage/store.js';
import { generateSigner } from '../../src/note/index.js';
import { join } from 'node:path';
import { tempDir } from './helpers.js';

let t: ReturnType<typeof tempDir>;
beforeEach(async () => {
  t = tempDir('cunzheng-fsck-');
  const ledger = await Ledger.open({ dataDir: t.dir, maxGroup: 50 });
  const ps = [];
  for (let i = 0; i < 700; i++) ps.push(ledger.append(new TextEncoder().encode(`doc-${i}`)));
  await Promise.all(ps);
  await ledger.close();
});
afterEach(() => t.cleanup());

/** Flips one bit of the value stored at `key`, behind the ledger's back. */
async function flip(key: Uint8Array, byte = 0): Promise<void> {
  const store = await LedgerStore.open(join(t.dir, 'ledger'));
  try {
    const v = (await store.db.get(key))!;
    v[byte]! ^= 0x01;
    await store.db.put(key, v);
  } finally {
    await store.close();
  }
}

describe('fsck of an intact ledger', () => {
  it('recomputes every level and checks every checkpoint: no problems', async () => {
    const r = await fsck(t.dir);
    expect(r).toMatchObject({ ok: true, treeSize: 700, entries: 700, problems: [] });
    expect(r.checkpoints).toBeGreaterThanOrEqual(700 / 50 + 1); // one per group, and the empty tree's
    expect(r.tiles).toBe(3 + 1); // tiles 0/0, 0/1 and 0/2 (partial), and 1/0 (partial)
  });
});

describe('fsck finds flipped bytes and says where', () => {
  it('in an entry', async () => {
    await flip(entryKey(300), 5);
    const r = await fsck(t.dir);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ where: 'tile 0/1', code: 'TILE_MISMATCH' });
    expect(r.problems[0]!.message).toContain('hash 44'); // 300 = 256 + 44
    expect(r.problems.some((p) => p.code === 'CHECKPOINT_ROOT_MISMATCH')).toBe(true);
  });

  it('in a tile', async () => {
    await flip(tileKey(0, 2), 32 * 10);
    const r = await fsck(t.dir);
    expect(r.problems).toEqual([expect.objectContaining({ where: 'tile 0/2', code: 'TILE_MISMATCH' })]);
  });

  it('in a checkpoint', async () => {
    await flip(checkpointKey(350), 2);
    const r = await fsck(t.dir);
    expect(r.problems).toEqual([expect.objectContaining({ where: 'checkpoint 350' })]);
  });

  it('when the ledger was signed by another key than the one given', async () => {
    const other = generateSigner('localhost/cunzheng').verifierKey;
    const r = await fsck(t.dir, other);
    expect(r.ok).toBe(false);
    expect(r.problems.every((p) => p.where.startsWith('checkpoint ') || p.where === 'signed record')).toBe(true);
    expect(r.problems.some((p) => p.where === 'signed record' && p.code === 'NOTE_UNVERIFIED')).toBe(true);
  });
});
