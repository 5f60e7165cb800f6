/**
 * `meta`: what the depositor says about the document (never its content). Bounded, because entries are
 * kept forever and parsed by every verifier: at most 32 keys, keys of 1-64 characters
 * `[A-Za-z][A-Za-z0-9_-]*`, values a string (≤ 1024 UTF-16 units), an array of at most 32 such strings,
 * a finite number, or a boolean; the whole object at most 8 KiB as written.
 *
 * Known keys have fixed types; other keys are allowed within the same bounds:
 *   title, level (密级), category, filename, path, note   string
 *   labels                                                string[]
 *   version                                               string | number
 *
 * Keys are written in ascending order (UTF-16 code units; keys are ASCII, so byte order too), whatever
 * order the caller gave them in: the same metadata always yields the same bytes.
 */
import { utf8Length } from '../crypto/index.js';
import { badField, checkText, describeValue } from './fields.js';
import { META_KEY_MAX_LENGTH, META_KEY_RULE } from './rules.js';

export type MetaValue = string | number | boolean | string[];
export type EntryMeta = Readonly<Record<string, MetaValue>>;

export const META_MAX_KEYS = 32;
export const META_MAX_KEY_LENGTH = META_KEY_MAX_LENGTH;
export const META_MAX_STRING = 1024;
export const META_MAX_ARRAY = 32;
export const META_MAX_BYTES = 8192;

/** The known keys that must be strings (labels is a string array, version a string or a number). */
export const META_STRING_KEYS = ['title', 'level', 'category', 'filename', 'path', 'note'] as const;

const STRING_KEYS: ReadonlySet<string> = new Set(META_STRING_KEYS);

/** Keys start with a letter: no "__proto__", and no integer-like keys (JS objects reorder those first). */
function checkKey(key: string): void {
  if (!META_KEY_RULE.test(key)) {
    const shown = key.length > 70 ? `${key.slice(0, 70)}…` : key;
    badField('meta', `key ${JSON.stringify(shown)} must be 1-${META_MAX_KEY_LENGTH} characters of [A-Za-z0-9_-] starting with a letter`, {
      got: shown,
    });
  }
}

function checkStringArray(field: string, value: unknown[]): string[] {
  if (value.length > META_MAX_ARRAY) {
    badField(field, `expected at most ${META_MAX_ARRAY} strings, got ${value.length}`, { want: META_MAX_ARRAY, got: value.length });
  }
  const out: string[] = [];
  for (let i = 0; i < value.length; i++) out.push(checkText(`${field}[${i}]`, value[i], { min: 0, max: META_MAX_STRING }));
  return out;
}

function checkValue(key: string, value: unknown): MetaValue {
  const field = `meta.${key}`;
  if (STRING_KEYS.has(key)) return checkText(field, value, { min: 0, max: META_MAX_STRING });
  if (key === 'labels') {
    if (!Array.isArray(value)) badField(field, `expected an array of strings, got ${describeValue(value)}`);
    return checkStringArray(field, value);
  }
  if (typeof value === 'string') return checkText(field, value, { min: 0, max: META_MAX_STRING });
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) badField(field, 'expected a finite number');
    // -0 would be written as 0 and read back as a different value.
    if (Object.is(value, -0)) badField(field, 'negative zero is not allowed');
    return value;
  }
  if (key === 'version') badField(field, `expected a string or a number, got ${describeValue(value)}`);
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return checkStringArray(field, value);
  return badField(field, `expected a string, string array, finite number or boolean, got ${describeValue(value)}`);
}

/**
 * Sorts in place in UTF-16 code-unit order, as Array#sort does for strings: an insertion sort, because the
 * built-in sort allocates a work array on every call, a twelfth of what building a batch's entries
 * allocated, for at most 32 keys, usually half a dozen.
 */
function sortKeys(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
}

/**
 * Validates `meta` and returns a fresh object with keys in ascending order, or undefined when `meta` is
 * undefined or has no keys (an empty meta is not written, so "no meta" has one spelling).
 */
export function normalizeMeta(meta: unknown): EntryMeta | undefined {
  return normalizeMetaJson(meta)?.meta;
}

/** normalizeMeta, with the normalized object's JSON text (what an entry writes for it). */
export function normalizeMetaJson(meta: unknown): { meta: EntryMeta; json: string } | undefined {
  if (meta === undefined) return undefined;
  const proto: unknown = meta === null || typeof meta !== 'object' ? undefined : Object.getPrototypeOf(meta);
  if (proto !== Object.prototype && proto !== null) {
    badField('meta', `expected an object, got ${describeValue(meta)}`);
  }
  const obj = meta as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length > META_MAX_KEYS) badField('meta', `expected at most ${META_MAX_KEYS} keys, got ${keys.length}`, { want: META_MAX_KEYS, got: keys.length });
  if (keys.length === 0) return undefined;
  sortKeys(keys);
  const out: Record<string, MetaValue> = {};
  for (const key of keys) {
    checkKey(key);
    out[key] = checkValue(key, obj[key]);
  }
  const json = JSON.stringify(out);
  const bytes = utf8Length(json);
  if (bytes > META_MAX_BYTES) badField('meta', `expected at most ${META_MAX_BYTES} bytes as written, got ${bytes}`, { want: META_MAX_BYTES, got: bytes });
  return { meta: out, json };
}
