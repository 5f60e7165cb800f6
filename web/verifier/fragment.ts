/**
 * What the page's URL fragment carries (nothing after # is ever sent to a server): a certificate's QR code
 * points at `…/verify#receipt=<base64url of the receipt bytes>`, or, for a receipt too long for a QR code,
 * `#id=<deposit id>&log=<origin>` (the receipt file itself must then be loaded); `key=<verifier key>` (one or
 * more) adds trusted keys.
 */
import { fromBase64 } from '../../src/crypto/bytes.js';

export interface Fragment {
  receipt?: Uint8Array;
  /** A receipt named by id only: the user must load the file. */
  id?: string;
  log?: string;
  keys: string[];
  /** Why the fragment's receipt could not be read, if it could not. */
  error?: { code: string; message: string };
}

export function base64UrlToBytes(s: string): Uint8Array {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  return fromBase64(b64 + '='.repeat((4 - (b64.length % 4)) % 4), undefined, 'receipt in the link');
}

/** Like URLSearchParams, but '+' stays '+' (a verifier key is `name+id+key`, and base64 holds '+'). */
function fragmentParams(hash: string): { get(k: string): string | null; getAll(k: string): string[] } {
  const pairs: [string, string][] = [];
  for (const part of hash.replace(/^#/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const dec = (t: string): string => {
      try {
        return decodeURIComponent(t);
      } catch {
        return t;
      }
    };
    pairs.push(eq < 0 ? [dec(part), ''] : [dec(part.slice(0, eq)), dec(part.slice(eq + 1))]);
  }
  return {
    get: (k) => pairs.find((p) => p[0] === k)?.[1] ?? null,
    getAll: (k) => pairs.filter((p) => p[0] === k).map((p) => p[1]),
  };
}

export function parseFragment(hash: string): Fragment {
  const params = fragmentParams(hash);
  const out: Fragment = { keys: params.getAll('key').map((k) => k.trim()).filter((k) => k.length > 0) };
  const r = params.get('receipt');
  if (r !== null) {
    try {
      out.receipt = base64UrlToBytes(r);
    } catch (e) {
      out.error = { code: (e as { code?: string }).code ?? 'BAD_BASE64', message: (e as Error).message };
    }
  }
  const id = params.get('id');
  if (id !== null) out.id = id.slice(0, 200);
  const log = params.get('log');
  if (log !== null) out.log = log.slice(0, 300);
  return out;
}
