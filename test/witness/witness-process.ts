/** A real `cunzheng witness serve` child process (dist/cli/main.js): start, wait until it serves, signal it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../support/server-process.js';

export interface WitnessLogLine {
  msg: string;
  status?: number;
  code?: string;
  origin?: string;
  oldSize?: number;
  size?: number;
  proofLines?: number;
  witnessSize?: number;
}

export class WitnessProcess {
  child: ChildProcess | undefined;
  out = '';
  err = '';
  vkey = '';
  readonly url: string;

  constructor(readonly dataDir: string, readonly port: number, readonly name: string, readonly logs: readonly string[], readonly extra: string[] = []) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts it and resolves once it prints that it serves; returns the milliseconds that took. */
  async start(): Promise<number> {
    const t0 = performance.now();
    this.out = '';
    this.err = '';
    const args = ['witness', 'serve', '--data', this.dataDir, '--name', this.name, '--port', String(this.port), ...this.logs.flatMap((l) => ['--log', l]), ...this.extra];
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
    this.child = child;
    child.stdout!.on('data', (d) => (this.out += d));
    child.stderr!.on('data', (d) => (this.err += d));
    for (;;) {
      if (child.exitCode !== null) throw new Error(`witness exited with ${child.exitCode}: ${this.err.slice(-2000)}`);
      const m = new RegExp(`^  (${this.name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\+[0-9a-f]{8}\\+\\S+)$`, 'm').exec(this.err);
      if (m !== null && this.err.includes('cunzheng witness: following')) {
        this.vkey = m[1]!;
        return performance.now() - t0;
      }
      if (performance.now() - t0 > 20_000) throw new Error(`witness did not start: ${this.err.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Its pino lines (stdout) about add-checkpoint, oldest first. */
  requests(): WitnessLogLine[] {
    return this.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as WitnessLogLine).filter((l) => l.msg.startsWith('add-checkpoint'));
  }

  /** Waits (up to 5 s) until it has logged at least `n` add-checkpoint lines, and returns them. */
  async waitForRequests(n: number): Promise<WitnessLogLine[]> {
    const t0 = performance.now();
    while (this.requests().length < n && performance.now() - t0 < 5_000) await new Promise((r) => setTimeout(r, 20));
    return this.requests();
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }
}
