/**
 * A tenant's settings (`x G <tenant id>`): whether the admin revoked it, and the enterprise's own names of its
 * classification levels (密级). Absent: not revoked, DEFAULT_LEVELS. The record carries its own check:
 *
 *   {"v":1,"tenant","revoked"?,"levels"?,"check"} (compact JSON, this order),
 *   check = hex SHA-256("cunzheng/tenant-settings/v1\n" ‖ JSON of [tenant, revoked|null, levels|null])
 *
 * A damaged settings record cannot say whether its tenant was revoked: that tenant is answered STORE_CORRUPT
 * (fail closed), every other tenant is served.
 */
import { CunzhengError } from '../errors.js';
import { fromUtf8, sha256, toHex, utf8 } from '../crypto/index.js';
import { checkEvent, DEFAULT_LEVELS, EVENT_LEVEL_MAX, PERIOD_LONG_TERM } from '../entry/index.js';
import { recordKeys, type LedgerRecords } from '../ledger/index.js';
import { TENANT_ID } from './tenant-record.js';
import { isIsoTime, readStoredObject } from './stored-json.js';

export { DEFAULT_LEVELS };
export const LEVELS_MAX = 10;
export const LEVEL_MAX_LENGTH = EVENT_LEVEL_MAX;

export interface StoredSettings {
  tenant: string;
  revoked?: string;
  levels?: string[];
}

const DOMAIN = 'cunzheng/tenant-settings/v1\n';
const X = recordKeys.tablePrefix('tenant')[0]!;
const G = 0x47;

export function settingsKey(tenantId: string): Uint8Array {
  return Uint8Array.of(X, G, ...utf8(tenantId));
}

export function settingsTablePrefix(): Uint8Array {
  return Uint8Array.of(X, G);
}

/** A level name the entry accepts in a classify event (its own rule, asked of the entry itself). */
function isLevel(s: unknown): s is string {
  if (typeof s !== 'string' || s.length < 1 || s.length > LEVEL_MAX_LENGTH) return false;
  try {
    checkEvent('classify', { level: s, period: PERIOD_LONG_TERM });
    return true;
  } catch {
    return false;
  }
}

/** 1..10 unique level names, each 1..32 characters of text without surrounding space (TENANT_BAD_LEVELS). */
export function checkLevels(v: unknown): string[] {
  const bad = (why: string): CunzhengError => new CunzhengError('TENANT_BAD_LEVELS', `levels: ${why}`, { details: { field: 'levels' } });
  if (!Array.isArray(v)) throw bad('must be an array of level names');
  if (v.length < 1 || v.length > LEVELS_MAX) throw bad(`1 to ${LEVELS_MAX} names`);
  for (const s of v) if (!isLevel(s)) throw bad(`each a text of 1-${LEVEL_MAX_LENGTH} characters, no control characters, no surrounding space`);
  if (new Set(v).size !== v.length) throw bad('the names must be unique');
  return [...(v as string[])];
}

function canonicalText(s: StoredSettings): string {
  const check = toHex(sha256(utf8(DOMAIN + JSON.stringify([s.tenant, s.revoked ?? null, s.levels ?? null]))));
  const o: Record<string, unknown> = { v: 1, tenant: s.tenant };
  if (s.revoked !== undefined) o.revoked = s.revoked;
  if (s.levels !== undefined) o.levels = s.levels;
  o.check = check;
  return JSON.stringify(o);
}

export function encodeSettings(s: StoredSettings): Uint8Array {
  return utf8(canonicalText(s));
}

export type DecodedSettings = { ok: true; settings: StoredSettings } | { ok: false; reason: string };

/** Decodes the record stored under `x G <keyTenant>`; never throws. */
export function decodeSettings(keyTenant: string, bytes: Uint8Array): DecodedSettings {
  const read = readStoredObject(bytes, 'tenant settings');
  if (!read.ok) return read;
  const { text } = read;
  const { v, tenant, revoked, levels } = read.o;
  if (v !== 1) return { ok: false, reason: `unknown record version ${JSON.stringify(v)}` };
  if (typeof tenant !== 'string' || !TENANT_ID.test(tenant) || tenant !== keyTenant) return { ok: false, reason: 'the record does not name its key\'s tenant' };
  if (revoked !== undefined && (typeof revoked !== 'string' || !isIsoTime(revoked))) return { ok: false, reason: 'revoked is not an ISO time' };
  let lv: string[] | undefined;
  if (levels !== undefined) {
    try {
      lv = checkLevels(levels);
    } catch {
      return { ok: false, reason: 'levels are not valid level names' };
    }
  }
  const settings: StoredSettings = { tenant, ...(revoked === undefined ? {} : { revoked: revoked as string }), ...(lv === undefined ? {} : { levels: lv }) };
  if (text !== canonicalText(settings)) return { ok: false, reason: 'its check does not match its fields (or it is not canonical)' };
  return { ok: true, settings };
}

/** The tenant a settings record names, if it is one this encoding could have written for it. */
function namedTenant(bytes: Uint8Array): string | undefined {
  try {
    const o = JSON.parse(fromUtf8(bytes, 'tenant settings')) as { tenant?: unknown };
    if (typeof o.tenant !== 'string' || !TENANT_ID.test(o.tenant)) return undefined;
    return decodeSettings(o.tenant, bytes).ok ? o.tenant : undefined;
  } catch {
    return undefined;
  }
}

/** The settings of every tenant, loaded once and kept in memory; writes are durable before they are seen. */
export class TenantSettings {
  private readonly byTenant = new Map<string, StoredSettings>();
  private readonly damaged = new Map<string, string>();

  private constructor(private readonly records: LedgerRecords) {}

  static async load(records: LedgerRecords): Promise<TenantSettings> {
    const t = new TenantSettings(records);
    for await (const [k, v] of records.iterate(settingsTablePrefix())) {
      let id: string | undefined;
      try {
        id = fromUtf8(k.subarray(2));
      } catch {
        id = undefined;
      }
      const d = id === undefined ? undefined : decodeSettings(id, v);
      if (d?.ok === true) {
        t.byTenant.set(id!, d.settings);
        continue;
      }
      if (id !== undefined && d !== undefined && !d.ok) t.damaged.set(id, d.reason);
      // A record under a damaged key still names its tenant: that tenant cannot be vouched for either (it
      // might be revoked), so a flipped key fails closed as a flipped value does.
      const named = namedTenant(v);
      if (named !== undefined && named !== id) t.damaged.set(named, 'its settings record lies under a damaged key');
    }
    for (const id of t.damaged.keys()) t.byTenant.delete(id);
    return t;
  }

  /** The tenant's settings (empty when it has none); STORE_CORRUPT when its record is damaged. */
  get(tenantId: string): StoredSettings {
    const reason = this.damaged.get(tenantId);
    if (reason !== undefined) {
      throw new CunzhengError('STORE_CORRUPT', `the stored settings of tenant ${tenantId} are damaged (${reason}); run cunzheng fsck`, {
        details: { where: `settings ${tenantId}`, problem: 'SETTINGS_CORRUPT' },
      });
    }
    return this.byTenant.get(tenantId) ?? { tenant: tenantId };
  }

  revoked(tenantId: string): string | undefined {
    return this.get(tenantId).revoked;
  }

  levels(tenantId: string): readonly string[] {
    return this.get(tenantId).levels ?? DEFAULT_LEVELS;
  }

  /** The pair that writes `next`, and what to apply once it is durable (for callers batching it with other records). */
  prepare(next: StoredSettings): { pair: [Uint8Array, Uint8Array]; apply: () => void } {
    return {
      pair: [settingsKey(next.tenant), encodeSettings(next)],
      apply: () => {
        this.byTenant.set(next.tenant, Object.freeze({ ...next }));
      },
    };
  }

  async write(next: StoredSettings): Promise<StoredSettings> {
    const p = this.prepare(next);
    await this.records.put([p.pair]);
    p.apply();
    return this.get(next.tenant);
  }
}
