/**
 * parsePolicy: a C2SP tlog-policy file (https://c2sp.org/tlog-policy) into a Policy, strictly and totally.
 *
 * The file is octets. Lines end at 0x0A (a last line without one is read too); fields are separated by runs
 * of space and tab only; a line that is blank or whose first field starts with '#' is ignored. Allowed
 * octets: 0x09, 0x0A, 0x20–0x7E, 0x80–0xFF; any other (NUL, CR, DEL…) is POLICY_BAD_CHARACTER with its line.
 *
 *   log <vkey> [<url>]                 vkey type 0x01 (Ed25519) or 0xff (SM2), named after the log's origin
 *   witness <name> <vkey> [<url>]      vkey type 0x04 (cosignature/v1)
 *   group <name> all|any|<k> <name>…   1 ≤ k ≤ n, members defined on earlier lines, each once, never `none`
 *   quorum <name>|none                 exactly one, naming a witness or group defined earlier
 *   log-quorum any|all                 our extension (README): `all` = every log key of the origin must sign
 *
 * Names are opaque octet strings: they are compared as octets (a map keyed by their latin1 image, one char
 * per octet) and shown as their UTF-8 decoding (see displayName). Every error is a CunzhengError POLICY_*
 * with `details.line`.
 */
import { fromUtf8 } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import { KEY_TYPE_COSIGNATURE_V1, KEY_TYPE_ED25519, keyIdHex, parseVerifierKey, type NoteVerifier } from '../note/index.js';
import { KEY_TYPE_SM2_NOTE, POLICY_LIMITS, type Policy, type PolicyGroup, type PolicyLog, type PolicyWitness } from './types.js';

const NONE = 'none';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const THRESHOLD = /^[1-9][0-9]{0,5}$/;
const lenientDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

function fail(code: string, line: number | undefined, message: string, details: Record<string, unknown> = {}, cause?: unknown): never {
  throw new CunzhengError(code, line === undefined ? `policy: ${message}` : `policy line ${line}: ${message}`, {
    details: line === undefined ? details : { line, ...details },
    cause,
  });
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/**
 * How a name is shown and looked up in the API: its UTF-8 decoding (fatal: no U+FFFD, a BOM kept, nothing
 * normalized, so 'K' and the Kelvin sign stay different), or, for octets that are not UTF-8, ASCII as is and
 * every octet ≥ 0x80 as `\xHH`.
 */
export function displayName(bytes: Uint8Array): string {
  try {
    return fromUtf8(bytes);
  } catch {
    let s = '';
    for (const b of bytes) s += b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    return s;
  }
}

function toBytes(input: unknown): Uint8Array {
  if (input instanceof Uint8Array) {
    if (input.length > POLICY_LIMITS.maxBytes) fail('POLICY_TOO_LARGE', undefined, `over ${POLICY_LIMITS.maxBytes} bytes`, { got: input.length });
    return input;
  }
  if (typeof input !== 'string') fail('POLICY_BAD_INPUT', undefined, `expected text or bytes, got ${input === null ? 'null' : typeof input}`);
  if (input.length > POLICY_LIMITS.maxBytes) fail('POLICY_TOO_LARGE', undefined, `over ${POLICY_LIMITS.maxBytes} bytes`, { got: input.length });
  const m = LONE_SURROGATE.exec(input);
  if (m !== null) {
    fail('POLICY_BAD_CHARACTER', input.slice(0, m.index).split('\n').length, 'an unpaired surrogate is no octet sequence');
  }
  const bytes = new TextEncoder().encode(input);
  if (bytes.length > POLICY_LIMITS.maxBytes) fail('POLICY_TOO_LARGE', undefined, `over ${POLICY_LIMITS.maxBytes} bytes`, { got: bytes.length });
  return bytes;
}

/** The lines as lists of fields (octet views), after the character check. Blank and comment lines are []. */
function fieldsOf(bytes: Uint8Array): Uint8Array[][] {
  const lines: Uint8Array[][] = [];
  let fields: Uint8Array[] = [];
  let start = -1;
  let column = 0;
  for (let i = 0; i <= bytes.length; i++) {
    const b = i < bytes.length ? bytes[i]! : 0x0a;
    column++;
    if (b !== 0x09 && b !== 0x0a && (b < 0x20 || b === 0x7f)) {
      fail('POLICY_BAD_CHARACTER', lines.length + 1, `octet 0x${b.toString(16).padStart(2, '0')} is not allowed (only tab, newline, 0x20–0x7E, 0x80–0xFF)`, {
        octet: b, column,
      });
    }
    const separator = b === 0x20 || b === 0x09 || b === 0x0a;
    if (separator && start >= 0) {
      fields.push(bytes.subarray(start, i));
      start = -1;
    } else if (!separator && start < 0) start = i;
    if (b === 0x0a) {
      if (i === bytes.length && fields.length === 0 && bytes[i - 1] === 0x0a) break; // no line after a final newline
      lines.push(fields.length > 0 && fields[0]![0] === 0x23 /* # */ ? [] : fields);
      fields = [];
      column = 0;
    }
  }
  return lines;
}

function text(field: Uint8Array, line: number, code: string, what: string): string {
  try {
    return fromUtf8(field);
  } catch (cause) {
    return fail(code, line, `${what} is not UTF-8`, {}, cause);
  }
}

function parseKey(field: Uint8Array, line: number, want: readonly number[], what: string): { vkey: string; verifier: NoteVerifier } {
  const vkey = text(field, line, 'POLICY_BAD_KEY', `the ${what} key`);
  let verifier: NoteVerifier;
  try {
    verifier = parseVerifierKey(vkey);
  } catch (cause) {
    const code = cause instanceof CunzhengError ? cause.code : 'UNKNOWN';
    if (code === 'UNSUPPORTED_KEY_TYPE') fail('POLICY_WRONG_KEY_TYPE', line, `the ${what} key has a signature type this verifier does not support`, { cause: code }, cause);
    return fail('POLICY_BAD_KEY', line, `the ${what} key is not a verifier key (${code})`, { cause: code }, cause);
  }
  if (!want.includes(verifier.type)) {
    fail('POLICY_WRONG_KEY_TYPE', line, `a ${what} key must have signature type ${want.map((t) => `0x${t.toString(16).padStart(2, '0')}`).join(' or ')}, got 0x${verifier.type.toString(16).padStart(2, '0')}`, {
      got: verifier.type, want,
    });
  }
  return { vkey, verifier };
}

function parseUrl(field: Uint8Array | undefined, line: number): string | undefined {
  if (field === undefined) return undefined;
  const url = text(field, line, 'POLICY_BAD_URL', 'the URL');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    return fail('POLICY_BAD_URL', line, 'the URL does not parse', {}, cause);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') fail('POLICY_BAD_URL', line, `the URL must be http or https, got ${parsed.protocol}`);
  if (parsed.username !== '' || parsed.password !== '') fail('POLICY_BAD_URL', line, 'the URL must not carry credentials');
  return url;
}

function fieldCount(fields: Uint8Array[], line: number, min: number, max: number, form: string): void {
  if (fields.length < min || fields.length > max) fail('POLICY_BAD_LINE', line, `expected "${form}"`, { fields: fields.length });
}

/** Parses a policy file. Throws POLICY_* (README.md) with `details.line` where a line is at fault. */
export function parsePolicy(input: string | Uint8Array): Policy {
  const bytes = toBytes(input);
  const logs: PolicyLog[] = [];
  const witnesses: PolicyWitness[] = [];
  const groups: PolicyGroup[] = [];
  const names = new Map<string, string>(); // latin1 image of the octets → display name
  const shown = new Map<string, number>(); // display name → line, to keep the API's names unambiguous
  const keys = new Map<string, number>(); // underlying public key → line
  let quorum: string | undefined;
  let logQuorum: 'any' | 'all' | undefined;

  const define = (field: Uint8Array, line: number): { name: string; nameBytes: Uint8Array } => {
    const raw = latin1(field);
    const name = displayName(field);
    if (raw === NONE) fail('POLICY_RESERVED_NAME', line, '"none" is predefined and cannot be defined');
    if (names.has(raw)) fail('POLICY_DUPLICATE_NAME', line, `the name ${JSON.stringify(name)} is already defined`, { name });
    const earlier = shown.get(name);
    if (earlier !== undefined) {
      fail('POLICY_NAME_AMBIGUOUS', line, `this name shows as ${JSON.stringify(name)}, as the other name on line ${earlier} does`, { name, other: earlier });
    }
    names.set(raw, name);
    shown.set(name, line);
    return { name, nameBytes: field.slice() };
  };
  const lookup = (field: Uint8Array, line: number, what: string): string => {
    const name = names.get(latin1(field));
    if (name === undefined) fail('POLICY_UNDEFINED_NAME', line, `${what} ${JSON.stringify(displayName(field))} is not defined on an earlier line`, { name: displayName(field) });
    return name;
  };
  const useKey = (verifier: NoteVerifier, line: number): void => {
    const id = latin1(verifier.publicKey);
    const earlier = keys.get(id);
    if (earlier !== undefined) {
      fail('POLICY_DUPLICATE_KEY', line, `this public key is already listed on line ${earlier} (${verifier.name}+${keyIdHex(verifier.keyId)})`, { other: earlier });
    }
    keys.set(id, line);
  };

  const lines = fieldsOf(bytes);
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i]!;
    const line = i + 1;
    if (fields.length === 0) continue;
    const keyword = latin1(fields[0]!);
    if (keyword === 'log') {
      fieldCount(fields, line, 2, 3, 'log <vkey> [<url>]');
      if (logs.length >= POLICY_LIMITS.maxLogs) fail('POLICY_TOO_MANY', line, `more than ${POLICY_LIMITS.maxLogs} logs`, { what: 'logs' });
      const { vkey, verifier } = parseKey(fields[1]!, line, [KEY_TYPE_ED25519, KEY_TYPE_SM2_NOTE], 'log');
      const url = parseUrl(fields[2], line);
      useKey(verifier, line);
      logs.push({ verifier, vkey, ...(url === undefined ? {} : { url }), line });
    } else if (keyword === 'witness') {
      fieldCount(fields, line, 3, 4, 'witness <name> <vkey> [<url>]');
      if (witnesses.length >= POLICY_LIMITS.maxWitnesses) fail('POLICY_TOO_MANY', line, `more than ${POLICY_LIMITS.maxWitnesses} witnesses`, { what: 'witnesses' });
      const { vkey, verifier } = parseKey(fields[2]!, line, [KEY_TYPE_COSIGNATURE_V1], 'witness');
      const url = parseUrl(fields[3], line);
      const named = define(fields[1]!, line);
      useKey(verifier, line);
      witnesses.push({ ...named, verifier, vkey, ...(url === undefined ? {} : { url }), line });
    } else if (keyword === 'group') {
      if (fields.length === 3) fail('POLICY_EMPTY_GROUP', line, 'a group needs at least one member');
      if (fields.length < 3) fail('POLICY_BAD_LINE', line, 'expected "group <name> all|any|<k> <name>..."', { fields: fields.length });
      if (groups.length >= POLICY_LIMITS.maxGroups) fail('POLICY_TOO_MANY', line, `more than ${POLICY_LIMITS.maxGroups} groups`, { what: 'groups' });
      const seen = new Set<string>();
      const members: string[] = [];
      for (const field of fields.slice(3)) {
        if (latin1(field) === NONE) fail('POLICY_RESERVED_NAME', line, '"none" cannot be a group member');
        const member = lookup(field, line, 'the member');
        if (seen.has(member)) fail('POLICY_DUPLICATE_MEMBER', line, `${JSON.stringify(member)} is listed twice in this group`, { name: member });
        seen.add(member);
        members.push(member);
      }
      const k = latin1(fields[2]!);
      const threshold = k === 'all' ? members.length : k === 'any' ? 1 : THRESHOLD.test(k) ? Number(k) : 0;
      if (threshold < 1 || threshold > members.length) {
        fail('POLICY_BAD_THRESHOLD', line, `the threshold must be all, any or a decimal k with 1 <= k <= ${members.length}`, {
          got: displayName(fields[2]!).slice(0, 32), members: members.length,
        });
      }
      groups.push({ ...define(fields[1]!, line), threshold, members, line });
    } else if (keyword === 'quorum') {
      fieldCount(fields, line, 2, 2, 'quorum <name>');
      if (quorum !== undefined) fail('POLICY_DUPLICATE_QUORUM', line, 'a policy has exactly one quorum line');
      quorum = latin1(fields[1]!) === NONE ? NONE : lookup(fields[1]!, line, 'the quorum');
    } else if (keyword === 'log-quorum') {
      fieldCount(fields, line, 2, 2, 'log-quorum any|all');
      if (logQuorum !== undefined) fail('POLICY_DUPLICATE_LOG_QUORUM', line, 'at most one log-quorum line');
      const v = latin1(fields[1]!);
      if (v !== 'any' && v !== 'all') fail('POLICY_BAD_LINE', line, 'expected "log-quorum any|all"');
      logQuorum = v;
    } else {
      fail('POLICY_UNKNOWN_KEYWORD', line, `unknown keyword ${JSON.stringify(displayName(fields[0]!).slice(0, 32))}`);
    }
  }
  if (quorum === undefined) fail('POLICY_NO_QUORUM', undefined, 'no quorum line (write "quorum none" to require no cosignature)');
  return { logs, witnesses, groups, quorum, logQuorum: logQuorum ?? 'any', text: lenientDecoder.decode(bytes), bytes: bytes.slice() };
}

/** The keys a policy trusts: its logs', then its witnesses'. */
export function policyVerifiers(p: Policy): NoteVerifier[] {
  return [...p.logs.map((l) => l.verifier), ...p.witnesses.map((w) => w.verifier)];
}
