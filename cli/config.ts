/**
 * The client configuration file: `{"url": "…", "apiKey": "…"}`, from --config FILE, CUNZHENG_CONFIG, or
 * ~/.config/cunzheng/config.json when it exists. Flags and environment variables take precedence.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './exit-codes.js';

export interface ClientConfig {
  url?: string;
  apiKey?: string;
}

export function loadClientConfig(explicit: string | undefined): ClientConfig {
  const path = explicit ?? join(homedir(), '.config', 'cunzheng', 'config.json');
  if (explicit === undefined && !existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read the config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null) throw new UsageError(`${path}: expected a JSON object {url, apiKey}`);
  const { url, apiKey } = raw as Record<string, unknown>;
  if ((url !== undefined && typeof url !== 'string') || (apiKey !== undefined && typeof apiKey !== 'string')) {
    throw new UsageError(`${path}: url and apiKey must be strings`);
  }
  if (apiKey !== undefined && process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    process.stderr.write(`cunzheng: warning: ${path} holds an API key and is readable by others (chmod 600 it)\n`);
  }
  return { ...(url === undefined ? {} : { url }), ...(apiKey === undefined ? {} : { apiKey }) };
}
