/**
 * Fixtures for the corruption tests: a store seeded through the real service, raw access to its derived
 * records, and single-bit flips of their values and keys (written with the raw LevelDB handle: the
 * service never rewrites these, only a damaged disk does).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openService } from '../../src/service/open.js';
import { completeUscc } from '../../src/entry/index.js';
import { toHex, utf8 } from '../../src/crypto/index.js';
import { LedgerStore } from '../../src/storage/store.js';
import { checkDerivedRecords } from '../../src/service/fsck-records.js';
import { LedgerRecords } from '../../src/ledger/index.js';
import type { Tenant } from '../../src/service/tenants.js';

export const ORIGIN = 'test.example/derived-records';
export const ADMIN = 'derived-records-admin-token-0123';
export const USCC_A = completeUscc('91430100MA4L16JJ');
export const USCC_B = completeUscc('9111000060003734');

export interface Seeded {
  dir: string;
  a: Tenant & { apiKey: string };
  b: Tenant & { apiKey: string };
  shasA: string[];
  shasB: string[];
  idsA: string[];
  idsB: string[];
  cleanup(): void;
}

export const digests = (n: number): string[] => Array.from({ length: n }, () => toHex(randomBytes(32)));

/** A stopped store: tenants A and B, `na` deposits of A and `nb` of B, through the service. */
export async function seedStore(na = 12, nb = 4): Promise<Seeded> {
  const dir = mkdtempSync(join(tmpdir(), 'cunzheng-derived-'));
  const ctx = await openService({ dataDir: dir, origin: ORIGIN, adminToken: ADMIN });
  try {
    const ca = await ctx.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A });
    const cb = await ctx.tenants.create({ name: '乙方实业有限公司', uscc: USCC_B });
    const shasA = digests(na);
    const shasB = digests(nb);
    const ra = await ctx.deposits.depositBatch(ca.tenant, shasA.map((sha256) => ({ sha256 })));
    const rb = nb === 0 ? [] : await ctx.deposits.depositBatch(cb.tenant, shasB.map((sha256) => ({ sha256 })));
    return {
      dir,
      a: { ...ca.tenant, apiKey: ca.apiKey },
      b: { ...cb.tenant, apiKey: cb.apiKey },
      shasA,
      shasB,
      idsA: ra.map((r) => r.receipt.id),
      idsB: rb.map((r) => r.receipt.id),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } finally {
    await ctx.anchorer.stop();
    await ctx.ledger.close();
  }
}

export function openStore(dir: string): Promise<LedgerStore> {
  return LedgerStore.open(join(dir, 'ledger'));
}

export interface Problem {
  where: string;
  code: string;
  message: string;
}

export async function check(store: LedgerStore): Promise<{ problems: Problem[]; records: number; legacyTenants: number }> {
  const problems: Problem[] = [];
  const s = await checkDerivedRecords(new LedgerRecords(() => store), (where, code, message) => problems.push({ where, code, message }));
  return { problems, records: s.records, legacyTenants: s.legacyTenants };
}

export const codes = (ps: readonly Problem[]): string[] => ps.map((p) => p.code).sort();

/** Every stored key and value under `x <table>`. */
export async function records(store: LedgerStore, table: string): Promise<[Uint8Array, Uint8Array][]> {
  const out: [Uint8Array, Uint8Array][] = [];
  for await (const [k, v] of store.iterateExtra(new Uint8Array([0x78, ...utf8(table)]))) out.push([new Uint8Array(k), new Uint8Array(v)]);
  return out;
}

export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(bytes); // a copy (Buffer#slice would be a view)
  out[bit >>> 3]! ^= 1 << (bit & 7);
  return out;
}

export function digestKeyOf(tenantId: string, sha256Hex: string): Uint8Array {
  return new Uint8Array([0x78, ...utf8(`D${tenantId}\u0000`), ...Buffer.from(sha256Hex, 'hex')]);
}

export function idKeyOf(idHex: string): Uint8Array {
  return new Uint8Array([0x78, 0x49, ...Buffer.from(idHex, 'hex')]);
}

export function tenantKeyOf(id: string): Uint8Array {
  return new Uint8Array([0x78, ...utf8(`T${id}`)]);
}

export function indexBytes(i: number): Uint8Array {
  const v = new Uint8Array(8);
  new DataView(v.buffer).setBigUint64(0, BigInt(i));
  return v;
}

export async function leafOf(store: LedgerStore, key: Uint8Array): Promise<number> {
  const v = await store.db.get(key);
  if (v === undefined) throw new Error('no such key');
  return Number(new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0));
}
