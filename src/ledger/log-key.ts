/**
 * The log keys, each a signer named after the origin, kept as a Go-sumdb style signer key string in a 0600
 * file and created on first open with O_EXCL (two processes racing cannot both create one):
 *
 * - the Ed25519 key (type 0x01) in `<data>/log.key`: every log has it;
 * - the SM2 key (type 0xff + SM2-with-SM3, note/sm2.ts) in the file the operator names (`serve --sm2`:
 *   `<data>/log-sm2.key`): a log may hold one beside the Ed25519 key.
 */
import { constants, promises as fs } from 'node:fs';
import { CunzhengError } from '../errors.js';
import {
  KEY_TYPE_ED25519, KEY_TYPE_SM2, formatSm2VerifierKey, formatVerifierKey, generateSigner, generateSm2Signer, parseSignerKey,
  sm2PublicKeyOf, type NoteSigner,
} from '../note/index.js';

export interface LogKey {
  signer: NoteSigner;
  /** The C2SP verifier key string to hand to verifiers. */
  verifierKey: string;
  created: boolean;
}

async function readKeyFile(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return undefined;
  }
}

/** Parses a key file's text as a log signer key of `type`, named `origin` when that is given. */
function parseLogKey(path: string, text: string, type: number, origin: string | undefined): NoteSigner {
  let signer: NoteSigner;
  try {
    signer = parseSignerKey(text.trim());
  } catch (cause) {
    throw new CunzhengError('LOG_KEY_INVALID', `the log key file ${path} does not hold a valid signer key`, { cause });
  }
  if (signer.type !== type) {
    const what = signer.type === KEY_TYPE_SM2 ? 'an SM2 key' : signer.type === KEY_TYPE_ED25519 ? 'an Ed25519 key' : 'a cosigner key';
    throw new CunzhengError('LOG_KEY_INVALID', `the log key file ${path} holds ${what}, not ${type === KEY_TYPE_SM2 ? 'an SM2' : 'an Ed25519'} log key`);
  }
  if (origin !== undefined && signer.name !== origin) {
    throw new CunzhengError('LOG_ORIGIN_MISMATCH', `the log key in ${path} is for origin ${JSON.stringify(signer.name)}, not ${JSON.stringify(origin)}`);
  }
  return signer;
}

/**
 * Writes a new secret file (a key, a token) with `text` and a newline: O_EXCL (an existing file or a dangling
 * symlink is never written through), 0600, synced before it is used. The one writer of every secret file of
 * the log and the witness.
 */
export async function createPrivateFile(path: string, text: string): Promise<void> {
  const fh = await fs.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await fh.writeFile(text + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Loads the log key at `path`, or creates one named `origin ?? defaultOrigin` when there is none (and
 * `defaultOrigin` is given). An existing key must be named `origin` when that is given.
 */
export async function loadOrCreateLogKey(path: string, origin: string | undefined, defaultOrigin?: string): Promise<LogKey> {
  const text = await readKeyFile(path);
  if (text !== undefined) {
    const signer = parseLogKey(path, text, KEY_TYPE_ED25519, origin);
    return { signer, verifierKey: formatVerifierKey(signer.name, signer.publicKey), created: false };
  }
  const name = origin ?? defaultOrigin;
  if (name === undefined) throw new CunzhengError('LOG_KEY_MISSING', `no log key at ${path}`);
  const { signerKey } = generateSigner(name);
  await createPrivateFile(path, signerKey);
  const signer = parseSignerKey(signerKey);
  return { signer, verifierKey: formatVerifierKey(signer.name, signer.publicKey), created: true };
}

/**
 * Loads the SM2 log key at `path` (it must be named `origin`), or creates one named `origin` when there is
 * none and `create` is true (LOG_KEY_MISSING when false: fsck reads, never writes).
 */
export async function loadOrCreateSm2LogKey(path: string, origin: string, create = true): Promise<LogKey> {
  const text = await readKeyFile(path);
  if (text !== undefined) {
    const signer = parseLogKey(path, text, KEY_TYPE_SM2, origin);
    return { signer, verifierKey: formatSm2VerifierKey(signer.name, sm2PublicKeyOf(signer)), created: false };
  }
  if (!create) throw new CunzhengError('LOG_KEY_MISSING', `no SM2 log key at ${path}`);
  const { signer, signerKey, verifierKey } = generateSm2Signer(origin);
  await createPrivateFile(path, signerKey);
  return { signer, verifierKey, created: true };
}
