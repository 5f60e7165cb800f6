/** `cunzheng tenant add --name N --uscc C [--url U] [--admin-token T | --data DIR]`. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';
import { readUserText } from '../user-file.js';

export interface TenantAddFlags {
  name: string;
  uscc: string;
  url: string;
  adminToken?: string;
  data: string;
  json: boolean;
}

function adminTokenFrom(flags: TenantAddFlags): string {
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
      body: JSON.stringify({ name: flags.name, uscc: flags.uscc }),
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
    out(`API key (shown once, keep it safe; the service stores only its hash):\n  ${body.apiKey}`);
  }
  return EXIT_OK;
}
