/** A one-line progress display on stderr, only when stderr is a terminal (never in pipes or CI logs). */
export class Progress {
  private last = 0;
  private readonly started = performance.now();
  private readonly enabled: boolean;

  constructor(enabled = process.stderr.isTTY === true) {
    this.enabled = enabled;
  }

  update(text: (elapsedS: number) => string, force = false): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    process.stderr.write(`\r\x1b[2K${text((now - this.started) / 1000)}`);
  }

  done(): void {
    if (this.enabled) process.stderr.write('\r\x1b[2K');
  }
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}
