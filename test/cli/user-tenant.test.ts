/**
 * `cunzheng user add|list|revoke|rotate` and `cunzheng tenant add|list|revoke|rotate`, the built CLI against a
 * real `cunzheng serve` process: keys printed once with the warning, --json answers, a revoked or rotated key
 * refused by the server at once, the admin's revocation and rotation; every mistake in the call one line and
 * exit 2, every refusal by the service one line with its code and exit 1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeUscc } from '../../src/entry/index.js';
import { foundingOfficerId } from '../../src/service/users.js';
import { ServerProcess, freePort } from '../support/server-process.js';
import { cliAsync } from './cli-async.js';

let dir: string;
let server: ServerProcess;
let env: Record<string, string>;
let tenant: { id: string; apiKey: string };
const ADMIN = 'user-cli-admin-token-0123456789abcdef';
const USCC = completeUscc('91430100MA4L16JJ');
const WARNING = 'API key (shown once, keep it safe; the service stores only its hash):';

const run = (args: string[], extra: Record<string, string> = {}) => cliAsync(args, { cwd: dir, env: { ...env, ...extra }, timeoutMs: 30_000 });
const admin = (args: string[]) => run([...args, '--admin-token', ADMIN]);
const status = async (key: string) => (await fetch(`${server.url}/v1/users/me`, { headers: { authorization: `Bearer ${key}` } })).status;
const keyOf = (stdout: string): string => /czk_[A-Za-z0-9_-]{43}/.exec(stdout)![0];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-user-cli-'));
  server = new ServerProcess(join(dir, 'server-data'), await freePort(), ADMIN);
  await server.start();
  env = { CUNZHENG_URL: server.url, HOME: join(dir, 'home') };
  const add = await admin(['tenant', 'add', '--name', '示例用户科技有限公司', '--uscc', USCC, '--json']);
  expect(add.code, add.stderr).toBe(0);
  tenant = JSON.parse(add.stdout) as { id: string; apiKey: string };
  env.CUNZHENG_API_KEY = tenant.apiKey;
}, 60_000);

afterAll(async () => {
  await server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('cunzheng user', () => {
  it('adds a user and prints the key once with the warning; lists; rotates; revokes — each key refused at once', async () => {
    const add = await run(['user', 'add', '--role', 'depositor', '--ref', 'E1001']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain(WARNING);
    expect(add.stdout).toMatch(new RegExp(`User u_[0-9a-f]{16} \\(depositor, ref E1001\\) added to tenant ${tenant.id}\\.`));
    const key = keyOf(add.stdout);
    const id = /User (u_[0-9a-f]{16})/.exec(add.stdout)![1]!;
    expect(await status(key)).toBe(200);

    const list = await run(['user', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^id\s+role\s+ref\s+created\s+status$/);
    expect(list.stdout).toMatch(new RegExp(`${foundingOfficerId(tenant.id)}\\s+officer\\s+-`));
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+depositor\\s+E1001\\s+\\S+\\s+active`));
    expect(list.stdout).not.toContain('czk_');
    const json = JSON.parse((await run(['user', 'list', '--json'])).stdout) as { users: { id: string }[] };
    expect(json.users.map((u) => u.id)).toEqual([foundingOfficerId(tenant.id), id]);

    const rot = await run(['user', 'rotate', id]);
    expect(rot.code, rot.stderr).toBe(0);
    expect(rot.stdout).toContain(WARNING);
    const fresh = keyOf(rot.stdout);
    expect([await status(key), await status(fresh)]).toEqual([401, 200]);

    const rev = await run(['user', 'revoke', id, '--json']);
    expect(rev.code, rev.stderr).toBe(0);
    expect(JSON.parse(rev.stdout)).toMatchObject({ id, revoked: expect.any(String) });
    expect(await status(fresh)).toBe(401);
  });

  it('a depositor\'s key cannot manage users, the last officer is kept: one line with the code, exit 1', async () => {
    const add = await run(['user', 'add', '--role', 'viewer', '--json']);
    const viewerKey = (JSON.parse(add.stdout) as { apiKey: string }).apiKey;
    const refused = await run(['user', 'add', '--role', 'officer'], { CUNZHENG_API_KEY: viewerKey });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^cunzheng: user not added: 403 ROLE_FORBIDDEN: /);
    const last = await run(['user', 'revoke', foundingOfficerId(tenant.id)]);
    expect(last.code).toBe(1);
    expect(last.stderr).toMatch(/409 USER_LAST_OFFICER/);
  });

  it('mistakes in the call are one line and exit 2, and reach no server', async () => {
    const cases = [
      [['user', 'add', '--role', 'admin'], /--role "admin": one of officer, depositor, viewer/],
      [['user', 'add'], /required option '--role <role>'/],
      [['user', 'add', '--role', 'viewer', '--ref', '110101199003077777'], /--ref .*never a name or an ID number/],
      [['user', 'revoke', 'bob'], /"bob" is not a user id/],
      [['user', 'rotate'], /missing required argument 'id'/],
      [['user', 'frobnicate'], /unknown command|too many arguments/],
      [['tenant', 'revoke', 'tn_x', '--admin-token', ADMIN], /"tn_x" is not a tenant id/],
    ] as const;
    // Each case stands alone (none reaches the server): they run at once, each its own process.
    const results = await Promise.all(cases.map(([args]) => run([...args])));
    for (const [i, [args, message]] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    const noKey = await run(['user', 'list'], { CUNZHENG_API_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/no API key/);
  });
});

describe('cunzheng tenant', () => {
  it('lists, refuses a registered USCC unless told, revokes and rotates', async () => {
    const dup = await admin(['tenant', 'add', '--name', '示例分公司', '--uscc', USCC]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/409 TENANT_USCC_TAKEN/);
    const ok = await admin(['tenant', 'add', '--name', '示例分公司', '--uscc', USCC, '--allow-duplicate-uscc']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(WARNING);
    const second = /Tenant (tn_[0-9a-f]{24})/.exec(ok.stdout)![1]!;
    const secondKey = keyOf(ok.stdout);

    const list = await admin(['tenant', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^id\s+uscc\s+created\s+status\s+users\s+name$/);
    expect(list.stdout).toMatch(new RegExp(`${second}\\s+${USCC}\\s+\\S+\\s+active\\s+1\\s+示例分公司`));

    const rev = await admin(['tenant', 'revoke', second]);
    expect(rev.code, rev.stderr).toBe(0);
    expect(rev.stdout).toMatch(new RegExp(`Tenant ${second} \\(示例分公司\\) revoked at `));
    expect(await status(secondKey)).toBe(403);
    const listed = JSON.parse((await admin(['tenant', 'list', '--json'])).stdout) as { tenants: { id: string; revoked: string | null }[] };
    expect(listed.tenants.find((t) => t.id === second)!.revoked).toEqual(expect.any(String));

    const rot = await admin(['tenant', 'rotate', second]);
    expect(rot.code, rot.stderr).toBe(0);
    expect(rot.stdout).toContain(WARNING);
    expect(rot.stdout).toContain(foundingOfficerId(second));
    expect([await status(secondKey), await status(keyOf(rot.stdout))]).toEqual([401, 200]);

    const missing = await admin(['tenant', 'rotate', 'tn_000000000000000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404 TENANT_NOT_FOUND/);
    const wrong = await run(['tenant', 'list', '--admin-token', 'not-the-admin-token']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/401 UNAUTHORIZED/);
  });
});
