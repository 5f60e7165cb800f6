/**
 * The log key: an Ed25519 signer named after the origin, kept as a Go-sumdb style signer key string in a
 * 0600 file. Created on first open with O_EXCL (two processes racing cannot both create one).
 */
import { constants, promises as fs } from 'node:fs';
import { CunzhengError } from '../errors.js';
import { formatVerifierKey, generateSigner, parseSignerKey, type NoteSigner } from '../note/index.js';

export interface LogKey {
  signer: NoteSigner;
  /** The C2SP verifier key string to hand to verifiers. */
  verifierKey: string;
  created: boolean;
}

/**
 * Loads the log key at `path`, or creates one named `origin ?? defaultOrigin` when there is none (and
 * `defaultOrigin` is given). An existing key must be named `origin` when that is given.
 */
export async function loadOrCreateLogKey(path: string, origin: string | undefined, defaultOrigin?: string): Promise<LogKey> {
  let text: string | undefined;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (text !== undefined) {
    let signer: NoteSigner;
    try {
      signer = parseSignerKey(text.trim());
    } catch (cause) {
      throw new CunzhengError('LOG_KEY_INVALID', `the log key file ${path} does not hold a valid signer key`, { cause });
    }
    if (signer.type !== 0x01) throw new CunzhengError('LOG_KEY_INVALID', `the log key file ${path} holds a cosigner key, not a log key`);
    if (origin !== undefined && signer.name !== origin) {
      throw new CunzhengError('LOG_ORIGIN_MISMATCH', `the log key in ${path} is for origin ${JSON.stringify(signer.name)}, not ${JSON.stringify(origin)}`);
    }
    return { signer, verifierKey: formatVerifierKey(signer.name, signer.publicKey), created: false };
  }
  const name = origin ?? defaultOrigin;
  if (name === undefined) throw new CunzhengError('LOG_KEY_MISSING', `no log key at ${path}`);
  const { signerKey } = generateSigner(name);
  const fh = await fs.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await fh.writeFile(signerKey + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  const signer = parseSignerKey(signerKey);
  return { signer, verifierKey: formatVerifierKey(signer.name, signer.publicKey), created: true };
}
