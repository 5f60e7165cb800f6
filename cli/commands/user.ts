/**
 * `cunzheng user add --role R [--ref EMP] | list | revoke ID | rotate ID` — the people of your enterprise, with
 * an officer's key (--url, --api-key, --config as for `deposit`). A new or rotated key is printed once. With
 * --json the service's answer goes to stdout as it came. A mistake in the call (a role that is none, an id of
 * the wrong form, no key) is one line and exit 2; a refusal by the service (a depositor's key, the last
 * officer) is one line with its code and exit 1. What the service says is printed without control characters.
 */
import type { Command } from 'commander';
import { isPersonRef } from '../../src/entry/index.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';
import { HttpStatusError, requestJson } from '../http-client.js';
import { clean, clientOf, clientOptions } from '../client.js';

const ROLES = ['officer', 'depositor', 'viewer'];
const USER_ID = /^u_[0-9a-f]{16}$/;
export const KEY_WARNING = 'API key (shown once, keep it safe; the service stores only its hash):';

export interface UserFlags {
  url?: string;
  apiKey?: string;
  config?: string;
  json: boolean;
}

/**
 * One call of the API; a refusal is told on stderr (`cunzheng: <what>: <status> <code>: <message>`) and
 * answered undefined (the command exits 1).
 */
export async function apiCall<T>(what: string, url: URL, token: string, method = 'GET', body?: unknown): Promise<T | undefined> {
  try {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return (await requestJson<T>(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })).json;
  } catch (e) {
    if (!(e instanceof HttpStatusError)) throw e;
    const message = e.message.slice(e.message.indexOf(`${e.status} `));
    process.stderr.write(`cunzheng: ${what}: ${message}\n`);
    return undefined;
  }
}

interface UserView {
  id: string;
  tenant: string;
  role: string;
  ref?: string;
  created: string;
  revoked?: string;
}

function userId(id: string): string {
  if (!USER_ID.test(id)) throw new UsageError(`${JSON.stringify(id)} is not a user id (u_ and 16 lowercase hex; cunzheng user list shows them)`);
  return id;
}

export async function runUserAdd(flags: UserFlags & { role: string; ref?: string }, out: (s: string) => void): Promise<number> {
  if (!ROLES.includes(flags.role)) throw new UsageError(`--role ${JSON.stringify(flags.role)}: one of ${ROLES.join(', ')}`);
  if (flags.ref !== undefined && !isPersonRef(flags.ref)) {
    throw new UsageError(`--ref ${JSON.stringify(flags.ref)}: an employee number (1-64 of A-Z a-z 0-9 . _ -), never a name or an ID number`);
  }
  const { base, apiKey } = clientOf(flags);
  const body = { role: flags.role, ...(flags.ref === undefined ? {} : { ref: flags.ref }) };
  const r = await apiCall<UserView & { apiKey: string }>('user not added', new URL('v1/users', base), apiKey, 'POST', body);
  if (r === undefined) return EXIT_FAILED;
  if (flags.json) out(JSON.stringify(r, null, 2));
  else {
    out(`User ${clean(r.id)} (${clean(r.role)}${r.ref === undefined ? '' : `, ref ${clean(r.ref)}`}) added to tenant ${clean(r.tenant)}.`);
    out(`${KEY_WARNING}\n  ${clean(r.apiKey)}`);
  }
  return EXIT_OK;
}

export async function runUserList(flags: UserFlags, out: (s: string) => void): Promise<number> {
  const { base, apiKey } = clientOf(flags);
  const r = await apiCall<{ users: UserView[] }>('users not listed', new URL('v1/users', base), apiKey);
  if (r === undefined) return EXIT_FAILED;
  if (flags.json) {
    out(JSON.stringify(r, null, 2));
    return EXIT_OK;
  }
  const rows = r.users.map((u) => [clean(u.id), clean(u.role), u.ref === undefined ? '-' : clean(u.ref), clean(u.created), u.revoked === undefined ? 'active' : `revoked ${clean(u.revoked)}`]);
  const header = ['id', 'role', 'ref', 'created', 'status'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows]) out(row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  return EXIT_OK;
}

export async function runUserRevoke(id: string, flags: UserFlags, out: (s: string) => void): Promise<number> {
  userId(id);
  const { base, apiKey } = clientOf(flags);
  const r = await apiCall<UserView>('user not revoked', new URL(`v1/users/${id}/revoke`, base), apiKey, 'POST');
  if (r === undefined) return EXIT_FAILED;
  if (flags.json) out(JSON.stringify(r, null, 2));
  else out(`User ${clean(r.id)} (${clean(r.role)}) revoked at ${clean(r.revoked)}: their key no longer authenticates.`);
  return EXIT_OK;
}

export async function runUserRotate(id: string, flags: UserFlags, out: (s: string) => void): Promise<number> {
  userId(id);
  const { base, apiKey } = clientOf(flags);
  const r = await apiCall<{ id: string; apiKey: string }>('key not rotated', new URL(`v1/users/${id}/rotate`, base), apiKey, 'POST');
  if (r === undefined) return EXIT_FAILED;
  if (flags.json) out(JSON.stringify(r, null, 2));
  else {
    out(`User ${clean(r.id)} has a new key; the old one no longer authenticates.`);
    out(`${KEY_WARNING}\n  ${clean(r.apiKey)}`);
  }
  return EXIT_OK;
}

function officerOptions(c: Command): Command {
  return clientOptions(c, 'an officer\'s API key').option('--json', 'print the machine-readable result on stdout', false);
}

export function registerUserCommands(program: Command, setExit: (code: number) => void, out: (s: string) => void): void {
  const user = program.command('user').description('the people of your enterprise: officers (保密员), depositors, viewers, each with their own key');
  officerOptions(user.command('add').description('add a user; prints their API key once'))
    .requiredOption('--role <role>', 'officer (manages users, records events, sees the whole 清单), depositor (deposits, sees their own) or viewer (reads)')
    .option('--ref <employee-number>', 'a tenant-local reference (an employee number), never a name or an ID number')
    .action(async (flags: UserFlags & { role: string; ref?: string }) => setExit(await runUserAdd(flags, out)));
  officerOptions(user.command('list').description('list your enterprise\'s users (revoked ones too)'))
    .action(async (flags: UserFlags) => setExit(await runUserList(flags, out)));
  officerOptions(user.command('revoke').description('revoke a user: their key stops authenticating at once').argument('<id>', 'the user id (u_…)'))
    .action(async (id: string, flags: UserFlags) => setExit(await runUserRevoke(id, flags, out)));
  officerOptions(user.command('rotate').description('give a user a new key, printed once; the old one stops at once').argument('<id>', 'the user id (u_…)'))
    .action(async (id: string, flags: UserFlags) => setExit(await runUserRotate(id, flags, out)));
}
