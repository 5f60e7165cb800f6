/**
 * The witness's keys: its own cosignature/v1 key (type 0x04, tlog-cosignature.md) and the log keys it
 * trusts, grouped by origin.
 *
 * Its own key is a Go-sumdb style signer key, `PRIVATE+KEY+<name>+<hex8 key ID>+base64(0x04 ‖ 32-byte
 * Ed25519 seed)`, in `<data>/witness.key` (mode 0600). It is created on first start with O_EXCL (two
 * processes racing cannot both create one), synced, and never rewritten. Its verifier key
 * `<name>+<hex8>+base64(0x04 ‖ public key)` is what a log operator puts on a policy's `witness` line.
 */
import { constants, promises as fs } from 'node:fs';
import { generateSeed } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import { createPrivateFile } from '../ledger/index.js';
import {
  KEY_TYPE_COSIGNATURE_V1, KEY_TYPE_ED25519, KEY_TYPE_SM2, assertKeyName, formatSignerKey, formatVerifierKey, keyIdHex, parseSignerKey,
  parseVerifierKey, type NoteSigner, type NoteVerifier,
} from '../note/index.js';

export const WITNESS_KEY_FILE = 'witness.key';
/** A key file is one line of about 100 characters; anything far larger is not one. */
const MAX_KEY_FILE = 4096;

export interface WitnessKey {
  /** Signs cosignature/v1 lines, stamped with the current POSIX second. */
  signer: NoteSigner;
  /** The verifier key a policy lists: `<name>+<hex8>+base64(0x04 ‖ public key)`. */
  vkey: string;
  created: boolean;
}

async function readKeyFile(path: string): Promise<string | undefined> {
  let fh;
  try {
    fh = await fs.open(path, constants.O_RDONLY);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CunzhengError('WITNESS_KEY_UNREADABLE', `cannot read the witness key ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > MAX_KEY_FILE) throw new CunzhengError('WITNESS_KEY_INVALID', `${path} is not a witness key file`);
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

function parseWitnessKey(path: string, text: string, now: () => number): NoteSigner {
  let signer: NoteSigner;
  try {
    signer = parseSignerKey(text.trim(), { now });
  } catch (cause) {
    // Never quote the file: it is a secret.
    throw new CunzhengError('WITNESS_KEY_INVALID', `${path} does not hold a valid signer key`, { cause });
  }
  if (signer.type !== KEY_TYPE_COSIGNATURE_V1) {
    throw new CunzhengError('WITNESS_KEY_INVALID', `${path} holds a key of type 0x${signer.type.toString(16)}, not a cosignature/v1 (0x04) witness key`);
  }
  return signer;
}

/**
 * Loads the witness key at `path`, or creates one named `name` when there is none (name required then).
 * An existing key must be named `name` when that is given (WITNESS_KEY_NAME_MISMATCH): a witness's name is
 * in its key ID, so renaming it would silently make every policy that lists it stop counting it.
 */
export async function loadOrCreateWitnessKey(
  path: string,
  name: string | undefined,
  options: { create?: boolean; now?: () => number } = {},
): Promise<WitnessKey> {
  const now = options.now ?? ((): number => Math.floor(Date.now() / 1000));
  const text = await readKeyFile(path);
  if (text !== undefined) {
    const signer = parseWitnessKey(path, text, now);
    if (name !== undefined && signer.name !== name) {
      throw new CunzhengError('WITNESS_KEY_NAME_MISMATCH', `the witness key in ${path} is named ${JSON.stringify(signer.name)}, not ${JSON.stringify(name)}`, {
        details: { have: signer.name, given: name },
      });
    }
    return { signer, vkey: formatVerifierKey(signer.name, signer.publicKey, KEY_TYPE_COSIGNATURE_V1), created: false };
  }
  if (name === undefined || options.create === false) {
    throw new CunzhengError('WITNESS_KEY_MISSING', `no witness key at ${path}${name === undefined ? ' (give --name to create one)' : ''}`);
  }
  assertKeyName(name);
  const seed = generateSeed();
  const skey = formatSignerKey(name, seed, KEY_TYPE_COSIGNATURE_V1);
  seed.fill(0);
  await createPrivateFile(path, skey);
  const signer = parseWitnessKey(path, skey, now);
  return { signer, vkey: formatVerifierKey(signer.name, signer.publicKey, KEY_TYPE_COSIGNATURE_V1), created: true };
}

/**
 * The trusted log keys by origin, from verifier keys (`--log`): Ed25519 (0x01) or SM2 (0xff) keys, each
 * named after its log's origin. A cosigner key (0x04), a key given twice, or two different keys with one
 * name and key ID are WITNESS_BAD_LOG_KEY.
 */
export function trustedLogs(vkeys: readonly string[]): Map<string, NoteVerifier[]> {
  const byOrigin = new Map<string, NoteVerifier[]>();
  const seen = new Set<string>();
  for (const [i, vkey] of vkeys.entries()) {
    let v: NoteVerifier;
    try {
      v = parseVerifierKey(vkey);
    } catch (cause) {
      const code = cause instanceof CunzhengError ? cause.code : 'UNKNOWN';
      throw new CunzhengError('WITNESS_BAD_LOG_KEY', `log key ${i + 1} is not a verifier key (${code})`, { details: { index: i, cause: code }, cause });
    }
    if (v.type !== KEY_TYPE_ED25519 && v.type !== KEY_TYPE_SM2) {
      throw new CunzhengError('WITNESS_BAD_LOG_KEY', `log key ${i + 1} (${v.name}) is of type 0x${v.type.toString(16)}: a log signs with an Ed25519 (0x01) or SM2 (0xff) key`, {
        details: { index: i, type: v.type },
      });
    }
    const label = `${v.name}+${keyIdHex(v.keyId)}`;
    if (seen.has(label)) throw new CunzhengError('WITNESS_BAD_LOG_KEY', `log key ${label} is given twice (or two keys share its name and key ID)`, { details: { index: i } });
    seen.add(label);
    byOrigin.set(v.name, [...(byOrigin.get(v.name) ?? []), v]);
  }
  return byOrigin;
}
