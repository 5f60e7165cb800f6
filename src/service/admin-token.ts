/**
 * The admin token guards tenant creation. Given (`--admin-token`), it is used as is and written nowhere;
 * otherwise it is generated on first start into `<data>/admin-token` (0600, O_EXCL) and read from there
 * afterwards. Only its SHA-256 is kept in memory for the constant-time comparison.
 *
 * A token guards every tenant's creation: at least 32 characters (the generated ones have 47: 32 random
 * bytes in base64url). A shorter one given is ADMIN_TOKEN_TOO_SHORT; a shorter one in the file (written by
 * an older version or by hand) is ADMIN_TOKEN_FILE_TOO_SHORT, whose message says how to replace it.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { CunzhengError } from '../errors.js';
import { createPrivateFile } from '../ledger/index.js';
import { constantTimeEqual, sha256, utf8 } from '../crypto/index.js';

export interface AdminToken {
  /** Where the token is kept, when it was generated or read from the data dir. */
  path: string | undefined;
  created: boolean;
  check(presented: string): boolean;
}

export const ADMIN_TOKEN_MIN_LENGTH = 32;
const MIN_LENGTH = ADMIN_TOKEN_MIN_LENGTH;
/** What `Authorization: Bearer <token>` can carry (src/http/auth.ts): any other token could never be presented. */
const PRESENTABLE = /^[\x21-\x7e]+$/;

function checker(token: string): (presented: string) => boolean {
  const want = sha256(utf8(token));
  return (presented) => constantTimeEqual(sha256(utf8(presented)), want);
}

export async function loadAdminToken(dataDir: string, given: string | undefined): Promise<AdminToken> {
  if (given !== undefined) {
    if (given.length < MIN_LENGTH) {
      throw new CunzhengError(
        'ADMIN_TOKEN_TOO_SHORT',
        `the admin token (--admin-token or CUNZHENG_ADMIN_TOKEN) has ${given.length} characters; it must have at least ${MIN_LENGTH}: use a random one, e.g. \`openssl rand -base64 32\`, or leave it unset to have one generated in the data directory`,
        { details: { got: given.length, want: MIN_LENGTH } },
      );
    }
    if (!PRESENTABLE.test(given)) {
      throw new CunzhengError('ADMIN_TOKEN_BAD_CHARACTER', 'the admin token may hold only printable ASCII without spaces (what an Authorization: Bearer header can carry)');
    }
    return { path: undefined, created: false, check: checker(given) };
  }
  const path = join(dataDir, 'admin-token');
  try {
    const token = (await fs.readFile(path, 'utf8')).trim();
    if (token.length < MIN_LENGTH) {
      throw new CunzhengError(
        'ADMIN_TOKEN_FILE_TOO_SHORT',
        `${path} holds an admin token of ${token.length} characters; at least ${MIN_LENGTH} are required. Delete the file to have a new token generated at the next start (then give the new one to whoever registers tenants), or write a longer random one into it (e.g. \`openssl rand -base64 32\`)`,
        { details: { path, got: token.length, want: MIN_LENGTH } },
      );
    }
    return { path, created: false, check: checker(token) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const token = `cza_${randomBytes(32).toString('base64url')}`;
  await createPrivateFile(path, token);
  return { path, created: true, check: checker(token) };
}
