/**
 * The admin token guards tenant creation: at least 32 characters. A shorter one given (--admin-token, or
 * its environment twin) is refused at start with ADMIN_TOKEN_TOO_SHORT; a shorter one found in
 * <data>/admin-token with ADMIN_TOKEN_FILE_TOO_SHORT and a message saying how to fix it; generated tokens
 * are long enough.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_TOKEN_MIN_LENGTH, loadAdminToken } from '../../src/service/admin-token.js';
import { CunzhengError } from '../../src/errors.js';
import { tempDir } from './helpers.js';

let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.cleanup());

async function refusal(p: Promise<unknown>): Promise<CunzhengError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(CunzhengError);
  return e as CunzhengError;
}

describe('a given admin token', () => {
  it('is refused with ADMIN_TOKEN_TOO_SHORT below 32 characters', async () => {
    dir = tempDir();
    expect(ADMIN_TOKEN_MIN_LENGTH).toBe(32);
    for (const token of ['x'.repeat(16), 'x'.repeat(20), 'x'.repeat(31)]) {
      const e = await refusal(loadAdminToken(dir.dir, token));
      expect(e.code).toBe('ADMIN_TOKEN_TOO_SHORT');
      expect(e.message).toContain(`has ${token.length} characters`);
      expect(e.message).toContain('at least 32');
    }
  });

  it('is used from 32 characters on', async () => {
    dir = tempDir();
    const t = await loadAdminToken(dir.dir, 'y'.repeat(32));
    expect(t.check('y'.repeat(32))).toBe(true);
    expect(t.check('y'.repeat(31))).toBe(false);
  });

  it('is refused when it holds what a Bearer header cannot carry', async () => {
    dir = tempDir();
    expect((await refusal(loadAdminToken(dir.dir, '管理员令牌'.repeat(8)))).code).toBe('ADMIN_TOKEN_BAD_CHARACTER');
    expect((await refusal(loadAdminToken(dir.dir, 'a '.repeat(20)))).code).toBe('ADMIN_TOKEN_BAD_CHARACTER');
  });
});

describe('the admin token file', () => {
  it('is generated at least 32 characters long', async () => {
    dir = tempDir();
    const t = await loadAdminToken(dir.dir, undefined);
    expect(t.created).toBe(true);
    const token = readFileSync(join(dir.dir, 'admin-token'), 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(t.check(token)).toBe(true);
  });

  it('is refused with ADMIN_TOKEN_FILE_TOO_SHORT when it holds a short token, saying how to fix it', async () => {
    dir = tempDir();
    const path = join(dir.dir, 'admin-token');
    writeFileSync(path, 'short-old-token-1234\n', { mode: 0o600 });
    const e = await refusal(loadAdminToken(dir.dir, undefined));
    expect(e.code).toBe('ADMIN_TOKEN_FILE_TOO_SHORT');
    expect(e.message).toContain(path);
    expect(e.message).toContain('20 characters');
    expect(e.message).toMatch(/Delete the file/);
    // nothing was rewritten behind the operator's back
    expect(readFileSync(path, 'utf8')).toBe('short-old-token-1234\n');
  });
});
