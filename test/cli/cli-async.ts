/**
 * The built CLI as a child process, without blocking this process: for tests whose HTTP server runs here
 * (spawnSync would freeze the server's event loop). A run past `timeoutMs` is killed and reported with
 * `timedOut`, so a command that hangs fails its test instead of hanging the suite.
 */
import { spawn } from 'node:child_process';
import { CLI, ROOT, type CliResult } from './run-cli.js';

export interface AsyncCliResult extends CliResult {
  timedOut: boolean;
}

export function cliAsync(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<AsyncCliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { PATH: process.env.PATH ?? '', ...options.env } });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 20_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
