/**
 * The records of users (x U), the v3 and retired API-key index values (x K) and tenant settings (x G): each
 * round-trips, each refuses every single flipped bit (exhaustively), and the founding officer's id is the
 * derivation design §4 states, computed here independently with node:crypto.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeKeyIndexValue, encodeKeyIndexValue, encodeUserKeyIndexValue } from '../../src/service/tenant-record.js';
import { checkRole, checkUserRef, decodeUserRecord, encodeUserRecord, foundingOfficerId, type StoredUser } from '../../src/service/user-record.js';
import { checkLevels, decodeSettings, encodeSettings, type StoredSettings } from '../../src/service/tenant-settings.js';
import { flipBit } from './corrupt-helpers.js';

const TENANT = 'tn_0123456789abcdef01234567';
const base: StoredUser = { id: 'u_00112233445566ff', tenant: TENANT, role: 'depositor', created: '2026-12-02T07:00:00.123Z', keyHash: 'ab'.repeat(32) };
const key = { tenant: TENANT, id: base.id };

describe('foundingOfficerId', () => {
  it('is u_ and the first 16 hex of SHA-256("cunzheng/founding-officer\\n" ‖ tenant id)', () => {
    for (const t of [TENANT, 'tn_ffffffffffffffffffffffff']) {
      const expected = `u_${createHash('sha256').update(`cunzheng/founding-officer\n${t}`, 'utf8').digest('hex').slice(0, 16)}`;
      expect(foundingOfficerId(t)).toBe(expected);
    }
    expect(foundingOfficerId(TENANT)).not.toBe(foundingOfficerId('tn_0123456789abcdef01234568'));
  });
});

describe('user records', () => {
  const variants: StoredUser[] = [
    base,
    { ...base, role: 'officer', ref: 'EMP-0042' },
    { ...base, role: 'viewer', ref: 'a.b_c', revoked: '2026-12-03T00:00:00.000Z' },
  ];

  it('round-trip, and every flipped bit of each is refused', () => {
    for (const u of variants) {
      const bytes = encodeUserRecord(u);
      expect(decodeUserRecord(key, bytes)).toEqual({ ok: true, user: u });
      for (let bit = 0; bit < 8 * bytes.length; bit++) expect(decodeUserRecord(key, flipBit(bytes, bit)).ok, `bit ${bit}`).toBe(false);
    }
  });

  it('are refused under another key, and a readable key hash is kept with the refusal', () => {
    const bytes = encodeUserRecord(base);
    expect(decodeUserRecord({ tenant: TENANT, id: 'u_00112233445566fe' }, bytes).ok).toBe(false);
    expect(decodeUserRecord({ tenant: 'tn_0123456789abcdef01234568', id: base.id }, bytes)).toMatchObject({ ok: false, keyHash: base.keyHash });
  });

  it('refuse members in another order, unknown members and hostile values', () => {
    const text = new TextDecoder().decode(encodeUserRecord(base));
    const o = JSON.parse(text) as Record<string, unknown>;
    const reordered = JSON.stringify({ id: o.id, v: o.v, tenant: o.tenant, role: o.role, created: o.created, keyHash: o.keyHash, check: o.check });
    expect(decodeUserRecord(key, new TextEncoder().encode(reordered)).ok).toBe(false);
    for (const extra of [{ x: 1 }, { role: 'admin' }, { ref: '110101199003077777' }, { created: 'yesterday' }, { v: 2 }]) {
      expect(decodeUserRecord(key, new TextEncoder().encode(JSON.stringify({ ...o, ...extra }))).ok, JSON.stringify(extra)).toBe(false);
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect(decodeUserRecord(key, bytes).ok).toBe(false);
    }), { numRuns: 300 });
  });
});

describe('API-key index values naming a user', () => {
  const hash = new Uint8Array(32).fill(0xab);

  it('v3 and retired values round-trip; every flipped bit of value or hash is refused', () => {
    for (const retired of [false, true]) {
      const v = encodeUserKeyIndexValue(hash, TENANT, base.id, retired);
      expect(decodeKeyIndexValue(hash, v)).toEqual(retired ? { ok: true, id: TENANT, legacy: false, user: base.id, retired: true } : { ok: true, id: TENANT, legacy: false, user: base.id });
      for (let bit = 0; bit < 8 * v.length; bit++) expect(decodeKeyIndexValue(hash, flipBit(v, bit)).ok, `value bit ${bit}`).toBe(false);
      for (let bit = 0; bit < 8 * hash.length; bit++) expect(decodeKeyIndexValue(flipBit(hash, bit), v).ok, `hash bit ${bit}`).toBe(false);
    }
  });

  it('a live value is never read as retired nor the reverse, and v2 values still decode naming the tenant only', () => {
    const live = encodeUserKeyIndexValue(hash, TENANT, base.id);
    const retired = encodeUserKeyIndexValue(hash, TENANT, base.id, true);
    const swapped = new Uint8Array(live);
    swapped[0] = retired[0]!;
    expect(decodeKeyIndexValue(hash, swapped).ok).toBe(false);
    expect(decodeKeyIndexValue(hash, encodeKeyIndexValue(hash, TENANT))).toEqual({ ok: true, id: TENANT, legacy: false });
  });
});

describe('tenant settings', () => {
  const variants: StoredSettings[] = [
    { tenant: TENANT },
    { tenant: TENANT, revoked: '2026-12-02T08:00:00.000Z' },
    { tenant: TENANT, levels: ['绝密级商密', '机密级', 'ordinary'] },
    { tenant: TENANT, revoked: '2026-12-02T08:00:00.000Z', levels: ['A'] },
  ];

  it('round-trip, and every flipped bit of each is refused', () => {
    for (const s of variants) {
      const bytes = encodeSettings(s);
      expect(decodeSettings(TENANT, bytes)).toEqual({ ok: true, settings: s });
      expect(decodeSettings('tn_0123456789abcdef01234568', bytes).ok).toBe(false);
      for (let bit = 0; bit < 8 * bytes.length; bit++) expect(decodeSettings(TENANT, flipBit(bytes, bit)).ok, `bit ${bit}`).toBe(false);
    }
  });

  it('levels: 1 to 10 unique names of 1-32 characters, without control characters or surrounding space', () => {
    expect(checkLevels(['核心商密'])).toEqual(['核心商密']);
    expect(checkLevels(Array.from({ length: 10 }, (_, i) => `L${i}`))).toHaveLength(10);
    expect(checkLevels(['x'.repeat(32)])).toEqual(['x'.repeat(32)]);
    for (const bad of [[], Array.from({ length: 11 }, (_, i) => `L${i}`), ['a', 'a'], [''], [' a'], ['a\n'], ['x'.repeat(33)], [1], 'a', null, ['a\u202eb']]) {
      expect(() => checkLevels(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'TENANT_BAD_LEVELS' }));
    }
  });
});

describe('roles and refs', () => {
  it('only the three roles; refs are employee numbers, never an ID-card or mobile number', () => {
    for (const r of ['officer', 'depositor', 'viewer']) expect(checkRole(r)).toBe(r);
    for (const r of ['admin', 'Officer', '', null, 1]) expect(() => checkRole(r)).toThrow(expect.objectContaining({ code: 'USER_BAD_ROLE' }));
    for (const ok of ['E1001', 'emp.42', 'A', '12345']) expect(checkUserRef(ok)).toBe(ok);
    for (const bad of ['110101199003077777', '11010119900307777X', '110101900307777', '13812345678', '张三', 'Zhang San', '', '-x', 'x'.repeat(65), 7]) {
      expect(() => checkUserRef(bad), String(bad)).toThrow(expect.objectContaining({ code: 'USER_BAD_REF' }));
    }
  });
});
