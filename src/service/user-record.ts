/**
 * The stored user record (`x U <tenant id> 0x00 <user id>`): one person of an enterprise, with the SHA-256 of
 * their API key. Like the tenant record (tenant-record.ts) it carries its own check, because LevelDB as we
 * open it does not verify block checksums on reads:
 *
 *   {"v":1,"id","tenant","role","ref"?,"created","keyHash","revoked"?,"check"} (compact JSON, this order),
 *   check = hex SHA-256("cunzheng/user-record/v1\n" ‖ JSON of [id, tenant, role, ref|null, created, keyHash, revoked|null])
 *
 * A record is accepted only when its bytes are exactly the canonical encoding of its fields and the check
 * matches: every flipped bit is refused. The check finds damage; it is not a MAC.
 *
 * Roles: officer (保密员: manages users, records events, sees the whole 清单), depositor (deposits, sees their
 * own), viewer (reads). `ref` is a tenant-local person reference (an employee number), never a name or an ID
 * number. The founding officer's id is derived from the tenant id (foundingOfficerId).
 */
import { randomBytes } from 'node:crypto';
import { CunzhengError } from '../errors.js';
import { fromHex, fromUtf8, isLowerHex, sha256, toHex, utf8 } from '../crypto/index.js';
import { isPersonRef } from '../entry/index.js';
import { recordKeys, type Pair } from '../ledger/index.js';
import { encodeUserKeyIndexValue, TENANT_ID } from './tenant-record.js';
import { isIsoTime, readStoredObject } from './stored-json.js';

export const ROLES = ['officer', 'depositor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface StoredUser {
  id: string;
  tenant: string;
  role: Role;
  ref?: string;
  created: string;
  /** Hex SHA-256 of the user's current API key. */
  keyHash: string;
  /** When the user was revoked (their key no longer authenticates). */
  revoked?: string;
}

export const USER_RECORD_VERSION = 1;
export const USER_ID = /^u_[0-9a-f]{16}$/;
const RECORD_DOMAIN = 'cunzheng/user-record/v1\n';
const FOUNDING_DOMAIN = 'cunzheng/founding-officer\n';

export const API_KEY_PREFIX = 'czk_';

/** A new API key (czk_ ‖ 32 random bytes, base64url) and its SHA-256, the only thing stored. */
export function newApiKey(): { apiKey: string; keyHash: Uint8Array } {
  const apiKey = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { apiKey, keyHash: new Uint8Array(sha256(utf8(apiKey))) };
}

export function keyIndexKey(keyHashHex: string): Uint8Array {
  return recordKeys.apiKeyIndexKey(fromHex(keyHashHex, 32));
}

/** The founding officer's record and its index entry, written with the tenant (or at open for older tenants). */
export function foundingOfficerPairs(tenantId: string, keyHash: string, created: string): { user: StoredUser; pairs: Pair[] } {
  const user: StoredUser = { id: foundingOfficerId(tenantId), tenant: tenantId, role: 'officer', created, keyHash };
  return { user, pairs: [[userKey(tenantId, user.id), encodeUserRecord(user)], [keyIndexKey(keyHash), encodeUserKeyIndexValue(fromHex(keyHash, 32), tenantId, user.id)]] };
}

/** The founding officer's user id: 'u_' + the first 16 hex of SHA-256("cunzheng/founding-officer\n" ‖ tenant id). */
export function foundingOfficerId(tenantId: string): string {
  return `u_${toHex(sha256(utf8(FOUNDING_DOMAIN + tenantId))).slice(0, 16)}`;
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

export function checkRole(v: unknown): Role {
  if (!isRole(v)) throw new CunzhengError('USER_BAD_ROLE', `role must be one of ${ROLES.join(', ')}`, { details: { field: 'role' } });
  return v;
}

export { isPersonRef };

export function checkUserRef(v: unknown): string {
  if (!isPersonRef(v)) {
    throw new CunzhengError('USER_BAD_REF', 'ref must be a tenant-local person reference (an employee number: 1-64 of A-Z a-z 0-9 . _ -), never a name, an ID-card or a mobile number', {
      details: { field: 'ref' },
    });
  }
  return v;
}

const X = recordKeys.tablePrefix('tenant')[0]!;
const U = 0x55;

/** x U <tenant id> 0x00: the prefix of a tenant's user records. */
export function userPrefix(tenantId: string): Uint8Array {
  return Uint8Array.of(X, U, ...utf8(`${tenantId}\u0000`));
}

/** x U: the prefix of every user record. */
export function userTablePrefix(): Uint8Array {
  return Uint8Array.of(X, U);
}

export function userKey(tenantId: string, userId: string): Uint8Array {
  return Uint8Array.of(X, U, ...utf8(`${tenantId}\u0000${userId}`));
}

/** The tenant and user ids a user key names, as text even when the key is damaged. */
export function parseUserKey(key: Uint8Array): { tenant: string; id: string } {
  const rest = key.subarray(2);
  let text: string;
  try {
    text = fromUtf8(rest);
  } catch {
    return { tenant: `(hex ${toHex(rest)})`, id: '' };
  }
  const zero = text.indexOf('\u0000');
  return zero < 0 ? { tenant: text, id: '' } : { tenant: text.slice(0, zero), id: text.slice(zero + 1) };
}

function recordCheck(u: StoredUser): string {
  return toHex(sha256(utf8(RECORD_DOMAIN + JSON.stringify([u.id, u.tenant, u.role, u.ref ?? null, u.created, u.keyHash, u.revoked ?? null]))));
}

function canonicalText(u: StoredUser): string {
  const o: Record<string, unknown> = { v: USER_RECORD_VERSION, id: u.id, tenant: u.tenant, role: u.role };
  if (u.ref !== undefined) o.ref = u.ref;
  o.created = u.created;
  o.keyHash = u.keyHash;
  if (u.revoked !== undefined) o.revoked = u.revoked;
  o.check = recordCheck(u);
  return JSON.stringify(o);
}

export function encodeUserRecord(u: StoredUser): Uint8Array {
  return utf8(canonicalText(u));
}

export type DecodedUser =
  | { ok: true; user: StoredUser }
  /** keyHash: the record's key hash when it could be read at all (so that key can be answered STORE_CORRUPT). */
  | { ok: false; reason: string; keyHash?: string };

const FIELDS = new Set(['v', 'id', 'tenant', 'role', 'ref', 'created', 'keyHash', 'revoked', 'check']);

/** Decodes the record stored under `x U <tenant> 0x00 <id>`; never throws. */
export function decodeUserRecord(key: { tenant: string; id: string }, bytes: Uint8Array): DecodedUser {
  const read = readStoredObject(bytes, 'user record');
  if (!read.ok) return read;
  const { text, o } = read;
  const keyHash = isLowerHex(o.keyHash, 64) ? (o.keyHash as string) : undefined;
  const bad = (reason: string): DecodedUser => (keyHash === undefined ? { ok: false, reason } : { ok: false, reason, keyHash });
  if (o.v !== USER_RECORD_VERSION) return bad(`unknown record version ${JSON.stringify(o.v)}`);
  for (const k of Object.keys(o)) if (!FIELDS.has(k)) return bad(`unknown member ${JSON.stringify(k)}`);
  const { id, tenant, role, ref, created, revoked } = o;
  if (typeof id !== 'string' || !USER_ID.test(id)) return bad('the id is not a user id');
  if (typeof tenant !== 'string' || !TENANT_ID.test(tenant)) return bad('the tenant is not a tenant id');
  if (id !== key.id || tenant !== key.tenant) return bad(`the record names ${tenant}/${id}, its key ${key.tenant}/${key.id}`);
  if (!isRole(role)) return bad('the role is not a role');
  if (ref !== undefined && !isPersonRef(ref)) return bad('the ref is not a person reference');
  if (typeof created !== 'string' || !isIsoTime(created)) return bad('created is not an ISO time');
  if (revoked !== undefined && (typeof revoked !== 'string' || !isIsoTime(revoked))) return bad('revoked is not an ISO time');
  if (keyHash === undefined) return bad('the key hash is not 64 lowercase hex');
  const user: StoredUser = { id, tenant, role, ...(ref === undefined ? {} : { ref: ref as string }), created, keyHash, ...(revoked === undefined ? {} : { revoked: revoked as string }) };
  if (text !== canonicalText(user)) return bad('its check does not match its fields (or it is not canonical)');
  return { ok: true, user };
}

