/**
 * What the tenant commands (event, history, inventory, user) share: the flags that name the service and the
 * key, where those come from (flags, then the environment through commander, then the config file), and how
 * text the service sent is printed to a terminal.
 */
import { Option, type Command } from 'commander';
import { loadClientConfig } from './config.js';
import { UsageError } from './exit-codes.js';
import { printable, serviceUrl } from './http-client.js';

export interface ClientFlags {
  url?: string;
  apiKey?: string;
  config?: string;
}

/** --url, --api-key and --config, with their environment twins; `keyHelp` says whose key the command wants. */
export function clientOptions(command: Command, keyHelp = 'your API key'): Command {
  return command
    .addOption(new Option('--url <url>', 'the service').env('CUNZHENG_URL'))
    .addOption(new Option('--api-key <key>', keyHelp).env('CUNZHENG_API_KEY'))
    .addOption(new Option('--config <file>', 'a JSON file {"url", "apiKey"} (default ~/.config/cunzheng/config.json)').env('CUNZHENG_CONFIG'));
}

/** A client's service and key: flags, then the environment (commander), then the config file. */
export function clientOf(flags: ClientFlags): { base: string; apiKey: string } {
  const config = loadClientConfig(flags.config);
  const apiKey = flags.apiKey ?? config.apiKey;
  if (apiKey === undefined || apiKey === '') throw new UsageError('no API key: pass --api-key K or set CUNZHENG_API_KEY');
  return { base: serviceUrl(flags.url ?? config.url ?? 'http://127.0.0.1:8080'), apiKey };
}

/** A value the service sent, as one printable line of at most 300 characters (no control characters). */
export function clean(v: unknown): string {
  return printable(String(v ?? '')).slice(0, 300);
}
