/**
 * The stored tenant record (`x T <id>`) and the API-key index value (`x K <SHA-256 of the key>`).
 *
 * LevelDB as we open it does not check block checksums on reads, so each value carries its own check:
 *
 *   record v2: {"v":2,"id","name","uscc","created","keyHash","check"} (compact JSON, this field order), where
 *              check = hex SHA-256("cunzheng/tenant-record/v2\n" ‖ JSON of [id, name, uscc, created, keyHash])
 *   key v2:    0x02 ‖ SHA-256("cunzheng/api-key-index/v2\n" ‖ key hash (32) ‖ id) (32) ‖ id (UTF-8)
 *   key v3:    0x03 ‖ SHA-256("cunzheng/api-key-index/v3\n" ‖ key hash (32) ‖ tenant ‖ 0x00 ‖ user) (32) ‖ tenant ‖ 0x00 ‖ user
 *   retired:   0x04 ‖ SHA-256("cunzheng/api-key-index/v3-retired\n" ‖ …the same…) (32) ‖ tenant ‖ 0x00 ‖ user
 *
 * A v3 value names the user (user-record.ts) whose key it is; a retired value names the user whose key it
 * was (rotated or revoked: the store never deletes, so the old index entry is rewritten as retired in the
 * batch that replaces the key). Only the user record says which key is live: a key authenticates when its
 * hash is the one its user's record holds.
 *
 * A record is accepted only when its bytes are exactly the canonical encoding of the fields it holds and
 * the check matches, so any change of its bytes (one flipped bit or many) is refused, short of a SHA-256
 * collision. The check is not a MAC: it finds damage, not a forger who can write the store.
 *
 * Legacy (b4de8cb) values are still read: a record without `v`/`check` ({"id","name","uscc","created",
 * "keyHash"}) and a key value that is the bare id. On its own a legacy record can only show that it is
 * canonical JSON, that the id matches its key, that the name is a valid tenant name, that the USCC carries
 * its GB 32100 check character (any one changed character is caught), that `created` is an ISO time and the
 * key hash 64 lowercase hex. A flip that turns one valid name character, digit of `created` or hex digit
 * of the key hash into another valid one is not visible in the record: Tenants.load compares the key hash
 * with the API-key index and the name and USCC with one of the tenant's entries; fsck compares them with
 * every entry. Only `created` (informational, in no entry) stays unverifiable.
 */
import { bytesEqual, fromUtf8, isLowerHex, sha256, toHex, utf8 } from '../crypto/index.js';
import { isSubjectName, isValidUscc } from '../entry/index.js';
import { isIsoTime, readStoredObject } from './stored-json.js';

export interface StoredTenant {
  id: string;
  name: string;
  uscc: string;
  created: string;
  /** Hex SHA-256 of the API key. */
  keyHash: string;
}

export const TENANT_RECORD_VERSION = 2;
export const TENANT_ID = /^tn_[0-9a-f]{24}$/;
const RECORD_DOMAIN = 'cunzheng/tenant-record/v2\n';
const KEY_DOMAIN = utf8('cunzheng/api-key-index/v2\n');
const KEY_VALUE_V2 = 0x02;
const KEY_VALUE_V3 = 0x03;
const KEY_VALUE_RETIRED = 0x04;
const KEY_DOMAIN_V3 = utf8('cunzheng/api-key-index/v3\n');
const KEY_DOMAIN_RETIRED = utf8('cunzheng/api-key-index/v3-retired\n');
const USER_ID = /^u_[0-9a-f]{16}$/;

/** A tenant's name is the subject name of its entries: the entry's rule, so a tenant the service accepts can deposit. */
export const isTenantName = isSubjectName;

function recordCheck(t: StoredTenant): string {
  return toHex(sha256(utf8(RECORD_DOMAIN + JSON.stringify([t.id, t.name, t.uscc, t.created, t.keyHash]))));
}

function v2Text(t: StoredTenant): string {
  return JSON.stringify({ v: TENANT_RECORD_VERSION, id: t.id, name: t.name, uscc: t.uscc, created: t.created, keyHash: t.keyHash, check: recordCheck(t) });
}

function legacyText(t: StoredTenant): string {
  return JSON.stringify({ id: t.id, name: t.name, uscc: t.uscc, created: t.created, keyHash: t.keyHash });
}

export function encodeTenantRecord(t: StoredTenant): Uint8Array {
  return utf8(v2Text(t));
}

export type DecodedTenant =
  | { ok: true; tenant: StoredTenant; legacy: boolean }
  /** keyHash: the record's key hash when it could be read at all (so that key can be answered STORE_CORRUPT). */
  | { ok: false; reason: string; keyHash?: string };

/** Decodes the record stored under `x T <keyId>`; never throws. */
export function decodeTenantRecord(keyId: string, bytes: Uint8Array): DecodedTenant {
  const read = readStoredObject(bytes, 'tenant record');
  if (!read.ok) return read;
  const { text, o } = read;
  const keyHash = isLowerHex(o.keyHash, 64) ? (o.keyHash as string) : undefined;
  const bad = (reason: string): DecodedTenant => (keyHash === undefined ? { ok: false, reason } : { ok: false, reason, keyHash });
  const { id, name, uscc, created } = o;
  if (typeof id !== 'string' || !TENANT_ID.test(id)) return bad('the id is not a tenant id');
  if (id !== keyId) return bad(`the record names ${JSON.stringify(id)}, its key ${JSON.stringify(keyId)}`);
  if (!isTenantName(name)) return bad('the name is not a valid tenant name');
  if (!isValidUscc(uscc)) return bad('the USCC is not valid (check character)');
  if (typeof created !== 'string' || !isIsoTime(created)) return bad('created is not an ISO time');
  if (keyHash === undefined) return bad('the key hash is not 64 lowercase hex');
  const tenant: StoredTenant = { id, name: name as string, uscc: uscc as string, created, keyHash };
  const legacy = o.v === undefined;
  if (!legacy && o.v !== TENANT_RECORD_VERSION) return bad(`unknown record version ${JSON.stringify(o.v)}`);
  if (text !== (legacy ? legacyText(tenant) : v2Text(tenant))) {
    return bad(legacy ? 'not the canonical encoding of its fields' : 'its check does not match its fields (or it is not canonical)');
  }
  return { ok: true, tenant, legacy };
}

function keyCheck(keyHash: Uint8Array, id: string): Uint8Array {
  return sha256(KEY_DOMAIN, keyHash, utf8(id));
}

/** The value of `x K <keyHash>`: version, a check binding the key hash to the id, the id. */
export function encodeKeyIndexValue(keyHash: Uint8Array, id: string): Uint8Array {
  const idBytes = utf8(id);
  const v = new Uint8Array(1 + 32 + idBytes.length);
  v[0] = KEY_VALUE_V2;
  v.set(keyCheck(keyHash, id), 1);
  v.set(idBytes, 33);
  return v;
}

function userKeyCheck(retired: boolean, keyHash: Uint8Array, names: Uint8Array): Uint8Array {
  return sha256(retired ? KEY_DOMAIN_RETIRED : KEY_DOMAIN_V3, keyHash, names);
}

/** The v3 value of `x K <keyHash>`: the key of user `user` of tenant `tenant` (retired: it was). */
export function encodeUserKeyIndexValue(keyHash: Uint8Array, tenant: string, user: string, retired = false): Uint8Array {
  const names = utf8(`${tenant}\u0000${user}`);
  const v = new Uint8Array(1 + 32 + names.length);
  v[0] = retired ? KEY_VALUE_RETIRED : KEY_VALUE_V3;
  v.set(userKeyCheck(retired, keyHash, names), 1);
  v.set(names, 33);
  return v;
}

/**
 * id: the tenant; user: the user a v3 (or retired) value names; retired: the key no longer authenticates.
 * legacy: the bare id of b4de8cb (no check).
 */
export type DecodedKeyIndex =
  | { ok: true; id: string; legacy: boolean; user?: string; retired?: boolean }
  | { ok: false; reason: string };

function decodeUserKeyIndexValue(keyHash: Uint8Array, v: Uint8Array): DecodedKeyIndex {
  const retired = v[0] === KEY_VALUE_RETIRED;
  if (v.length < 34) return { ok: false, reason: 'the value is too short' };
  const names = v.subarray(33);
  let text: string;
  try {
    text = fromUtf8(names, 'api key index');
  } catch {
    return { ok: false, reason: 'the tenant and user ids are not UTF-8' };
  }
  const zero = text.indexOf('\u0000');
  const id = text.slice(0, zero < 0 ? text.length : zero);
  const user = zero < 0 ? '' : text.slice(zero + 1);
  if (!TENANT_ID.test(id) || !USER_ID.test(user)) return { ok: false, reason: 'the value does not name a tenant id and a user id' };
  if (!bytesEqual(v.subarray(1, 33), userKeyCheck(retired, keyHash, names))) {
    return { ok: false, reason: 'its check does not bind this key hash to the tenant and user it names' };
  }
  return retired ? { ok: true, id, legacy: false, user, retired } : { ok: true, id, legacy: false, user };
}

/** Decodes the value stored under `x K <keyHash>`; never throws. A legacy value (the bare id) has no check. */
export function decodeKeyIndexValue(keyHash: Uint8Array, v: Uint8Array): DecodedKeyIndex {
  if (keyHash.length !== 32) return { ok: false, reason: `the key holds ${keyHash.length} bytes of key hash, not 32` };
  if (v[0] === KEY_VALUE_V3 || v[0] === KEY_VALUE_RETIRED) return decodeUserKeyIndexValue(keyHash, v);
  const legacy = v[0] !== KEY_VALUE_V2;
  let id: string;
  try {
    id = fromUtf8(legacy ? v : v.subarray(33), 'api key index');
  } catch {
    return { ok: false, reason: 'the tenant id is not UTF-8' };
  }
  if (!TENANT_ID.test(id)) return { ok: false, reason: 'the value does not name a tenant id' };
  if (!legacy && (v.length < 33 || !bytesEqual(v.subarray(1, 33), keyCheck(keyHash, id)))) {
    return { ok: false, reason: 'its check does not bind this key hash to the tenant it names' };
  }
  return { ok: true, id, legacy };
}
