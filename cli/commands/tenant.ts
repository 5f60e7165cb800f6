/**
 * `cunzheng tenant add --name N --uscc C [--allow-duplicate-uscc]`, `tenant list`, `tenant revoke ID`,
 * `tenant rotate ID` — each with [--url U] [--admin-token T | --data DIR] [--json]. Keys are printed once.
 */
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { join } from 'node:path';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';
import { readUserText } from '../user-file.js';
import { apiCall, KEY_WARNING } from './user.js';
import { clean } from '../client.js';

export interface TenantAddFlags {
  name: string;
  uscc: string;
  url: string;
  adminToken?: string;
  data: string;
  json: boolean;
  allowDuplicateUscc?: boolean;
}

function adminTokenFrom(flags: { adminToken?: string; data: string }): string {
  if (flags.adminToken !== undefined) return flags.adminToken;
  const path = join(flags.data, 'admin-token');
  if (!existsSync(path)) throw new UsageError(`no admin token: pass --admin-token T (env CUNZHENG_ADMIN_TOKEN) or run where ${path} exists`);
  const token = readUserText(path, 'the admin token file', 4096).trim();
  if (token === '') throw new UsageError(`the admin token file ${path} is empty`);
  return token;
}

function serviceUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL('/v1/admin/tenants', url);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(url)} is not a URL (expected http://host:port)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--url ${JSON.stringify(url)}: only http:// and https:// are supported`);
  return parsed;
}

export async function runTenantAdd(flags: TenantAddFlags, out: (s: string) => void): Promise<number> {
  const endpoint = serviceUrl(flags.url);
  const token = adminTokenFrom(flags);
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: flags.name, uscc: flags.uscc, ...(flags.allowDuplicateUscc === true ? { allowDuplicateUscc: true } : {}) }),
    });
  } catch (e) {
    throw new UsageError(`cannot reach ${flags.url}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, string>;
  if (res.status !== 201) {
    process.stderr.write(`cunzheng: tenant not created: ${res.status} ${body.code ?? ''}: ${body.message ?? ''}\n`);
    return EXIT_FAILED;
  }
  if (flags.json) out(JSON.stringify(body, null, 2));
  else {
    out(`Tenant ${body.id} created for ${body.name} (USCC ${body.uscc}).`);
    out(`${KEY_WARNING}\n  ${body.apiKey}`);
  }
  return EXIT_OK;
}

export interface TenantAdminFlags {
  url: string;
  adminToken?: string;
  data: string;
  json: boolean;
}

const TENANT_ID = /^tn_[0-9a-f]{24}$/;

function tenantId(id: string): string {
  if (!TENANT_ID.test(id)) throw new UsageError(`${JSON.stringify(id)} is not a tenant id (tn_ and 24 lowercase hex; cunzheng tenant list shows them)`);
  return id;
}

function adminUrl(flags: TenantAdminFlags, path: string): URL {
  return new URL(path, serviceUrl(flags.url));
}

interface TenantRow {
  id: string;
  name: string;
  uscc: string;
  created: string;
  revoked: string | null;
  users: number;
}

/** `cunzheng tenant list`: every tenant, its USCC, creation, revocation and active users. */
export async function runTenantList(flags: TenantAdminFlags, out: (s: string) => void): Promise<number> {
  const r = await apiCall<{ tenants: TenantRow[] }>('tenants not listed', adminUrl(flags, '/v1/admin/tenants'), adminTokenFrom(flags));
  if (r === undefined) return EXIT_FAILED;
  if (flags.json) {
    out(JSON.stringify(r, null, 2));
    return EXIT_OK;
  }
  const rows = r.tenants.map((t) => [clean(t.id), clean(t.uscc), clean(t.created), t.revoked === null ? 'active' : `revoked ${clean(t.revoked)}`, String(t.users), clean(t.name)]);
  const header = ['id', 'uscc', 'created', 'status', 'users', 'name'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows]) out(row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  return EXIT_OK;
}

/** `cunzheng tenant revoke ID`: every key of the tenant's users answers 403 TENANT_REVOKED. */
export async function runTenantRevoke(id: string, flags: TenantAdminFlags, out: (s: string) => void): Promise<number> {
  tenantId(id);
  const r = await apiCall<TenantRow>('tenant not revoked', adminUrl(flags, `/v1/admin/tenants/${id}/revoke`), adminTokenFrom(flags), 'POST');
  if (r === undefined) return EXIT_FAILED;
  if (flags.json) out(JSON.stringify(r, null, 2));
  else out(`Tenant ${clean(r.id)} (${clean(r.name)}) revoked at ${clean(r.revoked)}: none of its keys authenticates; its deposits stay verifiable.`);
  return EXIT_OK;
}

/** `cunzheng tenant rotate ID`: a new key for the founding officer (printed once), reactivating it and the tenant. */
export async function runTenantRotate(id: string, flags: TenantAdminFlags, out: (s: string) => void): Promise<number> {
  tenantId(id);
  const r = await apiCall<{ id: string; apiKey: string }>('key not rotated', adminUrl(flags, `/v1/admin/tenants/${id}/rotate`), adminTokenFrom(flags), 'POST');
  if (r === undefined) return EXIT_FAILED;
  if (flags.json) out(JSON.stringify(r, null, 2));
  else {
    out(`Tenant ${id}: its founding officer ${clean(r.id)} has a new key; the old one no longer authenticates.`);
    out(`${KEY_WARNING}\n  ${clean(r.apiKey)}`);
  }
  return EXIT_OK;
}

function adminOptions(c: Command): Command {
  return c
    .addOption(new Option('--url <url>', 'the service').env('CUNZHENG_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--admin-token <token>', 'the admin token (default: read from <data>/admin-token)').env('CUNZHENG_ADMIN_TOKEN'))
    .addOption(new Option('--data <dir>', 'data directory holding admin-token').env('CUNZHENG_DATA').default('./data'))
    .option('--json', 'print the machine-readable result on stdout', false);
}

/** `tenant list|revoke|rotate` on the `tenant` command of main.ts (beside `tenant add`). */
export function registerTenantCommands(tenant: Command, setExit: (code: number) => void, out: (s: string) => void): void {
  adminOptions(tenant.command('list').description('list every tenant: id, USCC, created, revoked, active users, name'))
    .action(async (flags: TenantAdminFlags) => setExit(await runTenantList(flags, out)));
  adminOptions(tenant.command('revoke').description('revoke a tenant: none of its keys authenticates (its deposits stay verifiable)').argument('<id>', 'the tenant id (tn_…)'))
    .action(async (id: string, flags: TenantAdminFlags) => setExit(await runTenantRevoke(id, flags, out)));
  adminOptions(tenant.command('rotate').description('a new key for the tenant\'s founding officer, printed once; reactivates it and the tenant').argument('<id>', 'the tenant id (tn_…)'))
    .action(async (id: string, flags: TenantAdminFlags) => setExit(await runTenantRotate(id, flags, out)));
}
