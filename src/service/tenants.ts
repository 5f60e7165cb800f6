/**
 * Tenants: the enterprises that deposit. A tenant's API key is 32 random bytes shown once at creation and
 * stored only as its SHA-256; authentication hashes the presented key, finds the tenant by that hash and
 * compares the hashes in constant time. Tenants live in the ledger's LevelDB under `x T …` / `x K …`.
 */
import { randomBytes } from 'node:crypto';
import { CunzhengError } from '../errors.js';
import { constantTimeEqual, fromUtf8, sha256, toHex, utf8 } from '../crypto/index.js';
import { validateUscc } from '../entry/index.js';
import { extraKey } from '../storage/keys.js';
import type { LedgerStore } from '../storage/store.js';

export interface Tenant {
  id: string;
  name: string;
  uscc: string;
  created: string;
}

interface StoredTenant extends Tenant {
  keyHash: string; // hex SHA-256 of the API key
}

const TENANT_PREFIX = extraKey(utf8('T'));
const KEY_PREFIX = extraKey(utf8('K'));
export const API_KEY_PREFIX = 'czk_';
const NAME_MAX = 256;
// Control characters, line/paragraph separators and bidi overrides would let a name forge certificate lines;
// a lone surrogate is not Unicode (it cannot be stored as UTF-8). The same set the entry refuses in
// subject.name: a tenant the service accepts must be able to deposit.
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u202a-\u202e\u2066-\u2069]/u;

function tenantKey(id: string): Uint8Array {
  return extraKey(utf8(`T${id}`));
}

function apiKeyIndexKey(keyHash: Uint8Array): Uint8Array {
  const k = new Uint8Array(KEY_PREFIX.length + keyHash.length);
  k.set(KEY_PREFIX);
  k.set(keyHash, KEY_PREFIX.length);
  return k;
}

export function checkTenantName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > NAME_MAX || name.trim() !== name || FORBIDDEN_IN_NAME.test(name)) {
    throw new CunzhengError('TENANT_BAD_NAME', `name must be 1-${NAME_MAX} characters without control characters or surrounding spaces`);
  }
  return name;
}

export class Tenants {
  private readonly byId = new Map<string, StoredTenant>();
  private readonly byKeyHash = new Map<string, StoredTenant>();

  private constructor(private readonly store: LedgerStore) {}

  static async load(store: LedgerStore): Promise<Tenants> {
    const t = new Tenants(store);
    for await (const [, v] of store.iterateExtra(TENANT_PREFIX)) {
      const s = JSON.parse(fromUtf8(v, 'tenant record')) as StoredTenant;
      t.byId.set(s.id, s);
      t.byKeyHash.set(s.keyHash, s);
    }
    return t;
  }

  get count(): number {
    return this.byId.size;
  }

  /** Creates a tenant; the returned API key is never stored and cannot be shown again. */
  async create(input: { name: unknown; uscc: unknown }): Promise<{ tenant: Tenant; apiKey: string }> {
    const name = checkTenantName(input.name);
    let uscc: string;
    try {
      uscc = validateUscc(input.uscc);
    } catch (cause) {
      const code = cause instanceof CunzhengError ? cause.code : 'USCC_BAD_CHECK';
      throw new CunzhengError(code, (cause as Error).message, { cause });
    }
    const id = `tn_${toHex(randomBytes(12))}`;
    const apiKey = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const keyHash = sha256(utf8(apiKey));
    const stored: StoredTenant = { id, name, uscc, created: new Date().toISOString(), keyHash: toHex(keyHash) };
    await this.store.putExtra([
      [tenantKey(id), utf8(JSON.stringify(stored))],
      [apiKeyIndexKey(keyHash), utf8(id)],
    ]);
    this.byId.set(id, stored);
    this.byKeyHash.set(stored.keyHash, stored);
    return { tenant: publicView(stored), apiKey };
  }

  /** The tenant holding `apiKey`, or undefined. */
  authenticate(apiKey: string): Tenant | undefined {
    if (!apiKey.startsWith(API_KEY_PREFIX) || apiKey.length > 128) return undefined;
    const hash = sha256(utf8(apiKey));
    const found = this.byKeyHash.get(toHex(hash));
    if (found === undefined) return undefined;
    return constantTimeEqual(Buffer.from(found.keyHash, 'hex'), hash) ? publicView(found) : undefined;
  }

  get(id: string): Tenant | undefined {
    const s = this.byId.get(id);
    return s === undefined ? undefined : publicView(s);
  }
}

const views = new WeakMap<StoredTenant, Tenant>();

/** The tenant as the rest of the service sees it: one frozen object per tenant (callers key caches on it). */
function publicView(s: StoredTenant): Tenant {
  let v = views.get(s);
  if (v === undefined) {
    v = Object.freeze({ id: s.id, name: s.name, uscc: s.uscc, created: s.created });
    views.set(s, v);
  }
  return v;
}
