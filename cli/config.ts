/**
 * The client configuration file: `{"url": "…", "apiKey": "…"}`, from --config FILE, CUNZHENG_CONFIG, or
 * ~/.config/cunzheng/config.json when it exists. Flags and environment variables take precedence.
 *
 * A key this version does not know (a misspelt `apikey`, `URL`) is refused with one line naming it and the
 * known ones: silently ignoring it would deposit with the wrong settings. The file is read through
 * cli/user-file.ts (no FIFO, device or huge file).
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './exit-codes.js';
import { readUserText } from './user-file.js';

export interface ClientConfig {
  url?: string;
  apiKey?: string;
}

export const CONFIG_KEYS = ['url', 'apiKey'] as const;
const MAX_CONFIG_BYTES = 64 * 1024;

export function defaultConfigPath(): string {
  return join(homedir(), '.config', 'cunzheng', 'config.json');
}

export function loadClientConfig(explicit: string | undefined): ClientConfig {
  const path = explicit ?? defaultConfigPath();
  if (explicit === undefined && !existsSync(path)) return {};
  const text = readUserText(path, 'the config file', MAX_CONFIG_BYTES);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`the config file ${path} is not JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`the config file ${path}: expected a JSON object {"url", "apiKey"}`);
  const unknown = Object.keys(raw).filter((k) => !(CONFIG_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new UsageError(`the config file ${path}: unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known keys: ${CONFIG_KEYS.join(', ')})`);
  }
  const { url, apiKey } = raw as Record<string, unknown>;
  for (const [k, v] of [['url', url], ['apiKey', apiKey]] as const) {
    if (v !== undefined && typeof v !== 'string') throw new UsageError(`the config file ${path}: ${k} must be a string`);
  }
  if (apiKey !== undefined && process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    process.stderr.write(`cunzheng: warning: ${path} holds an API key and is readable by others (chmod 600 it)\n`);
  }
  return { ...(url === undefined ? {} : { url: url as string }), ...(apiKey === undefined ? {} : { apiKey: apiKey as string }) };
}
