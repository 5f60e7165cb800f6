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

/** Bytes in binary units: `512 B`, `29.2 B` (a rate's fraction), `12.3 MiB`, `1.50 GiB`. */
export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return Number.isInteger(n) ? `${n} B` : `${n.toFixed(1)} B`;
}

/** Bytes per second, in the same units: `29.2 B/s`, `12.3 MiB/s`. */
export function formatRate(bytes: number, seconds: number): string {
  return `${formatBytes(seconds > 0 ? bytes / seconds : 0)}/s`;
}
