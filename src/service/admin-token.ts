/**
 * The admin token guards tenant creation. Given (`--admin-token`), it is used as is and written nowhere;
 * otherwise it is generated on first start into `<data>/admin-token` (0600, O_EXCL) and read from there
 * afterwards. Only its SHA-256 is kept in memory for the constant-time comparison.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { CunzhengError } from '../errors.js';
import { constantTimeEqual, sha256, utf8 } from '../crypto/index.js';

export interface AdminToken {
  /** Where the token is kept, when it was generated or read from the data dir. */
  path: string | undefined;
  created: boolean;
  check(presented: string): boolean;
}

const MIN_LENGTH = 16;

function checker(token: string): (presented: string) => boolean {
  const want = sha256(utf8(token));
  return (presented) => constantTimeEqual(sha256(utf8(presented)), want);
}

export async function loadAdminToken(dataDir: string, given: string | undefined): Promise<AdminToken> {
  if (given !== undefined) {
    if (given.length < MIN_LENGTH) throw new CunzhengError('ADMIN_TOKEN_TOO_SHORT', `the admin token must have at least ${MIN_LENGTH} characters`);
    return { path: undefined, created: false, check: checker(given) };
  }
  const path = join(dataDir, 'admin-token');
  try {
    const token = (await fs.readFile(path, 'utf8')).trim();
    if (token.length < MIN_LENGTH) throw new CunzhengError('ADMIN_TOKEN_TOO_SHORT', `${path} holds a token shorter than ${MIN_LENGTH} characters`);
    return { path, created: false, check: checker(token) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const token = `cza_${randomBytes(32).toString('base64url')}`;
  const fh = await fs.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await fh.writeFile(token + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { path, created: true, check: checker(token) };
}
