/** A real `cunzheng serve` child process for reliability tests: start, wait until healthy, SIGKILL, restart. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export class ServerProcess {
  child: ChildProcess | undefined;
  logs = '';
  readonly url: string;

  constructor(readonly dataDir: string, readonly port: number, readonly adminToken: string, readonly extraArgs: string[] = []) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts the server and resolves when /healthz answers; returns the milliseconds that took. */
  async start(): Promise<number> {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, 'serve', '--data', this.dataDir, '--port', String(this.port), '--admin-token', this.adminToken, '--log-level', 'warn', ...this.extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '' },
    });
    this.child = child;
    child.stdout!.on('data', (d) => (this.logs += d));
    child.stderr!.on('data', (d) => (this.logs += d));
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${this.logs.slice(-2000)}`);
      try {
        const r = await fetch(`${this.url}/healthz`);
        if (r.ok) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 20));
      if (performance.now() - t0 > 30_000) throw new Error(`server did not become healthy: ${this.logs.slice(-2000)}`);
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }
}
