/**
 * The signer shape shared by log keys (type 0x01) and witness cosigners (type 0x04).
 *
 * A signer holds a private seed in a closure and nowhere else: its properties, `toString()` and
 * `JSON.stringify()` show only the name, key ID, type and public key, so a signer that ends up in a log
 * line or an error report leaks nothing.
 */
import { toBase64 } from '../crypto/index.js';
import { keyIdHex } from './key-id.js';

/** Signs note texts with one key. `sign` returns the signature bytes that follow the key ID. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
  sign(msg: Uint8Array): Uint8Array;
}

const TYPE_LABEL: Record<number, string> = { 0x01: 'Ed25519', 0x04: 'cosignature/v1', 0xff: 'SM2' };

/** Wraps a signing closure so that nothing but public facts can be printed or serialized. */
export function makeSigner(name: string, keyId: number, type: number, publicKey: Uint8Array, sign: (msg: Uint8Array) => Uint8Array): NoteSigner {
  const label = TYPE_LABEL[type] ?? `type 0x${type.toString(16)}`;
  return Object.freeze({
    name,
    keyId,
    type,
    publicKey,
    sign,
    toString: () => `NoteSigner(${name}+${keyIdHex(keyId)}, ${label})`,
    toJSON: () => ({ name, keyId: keyIdHex(keyId), type, publicKey: toBase64(publicKey) }),
  });
}
