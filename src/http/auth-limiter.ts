/**
 * Failed authentication, limited per client IP: after `max` 401s within `windowMs`, that IP is answered
 * 429 AUTH_RATE_LIMITED with Retry-After until its window ends, whatever key it presents (a correct key
 * does not lift the block: a guesser holding one valid key could otherwise reset it at will).
 *
 * The IP is the socket's peer address (no proxy header is trusted). Clients behind one proxy or NAT share
 * a budget: a misconfigured script there can block its neighbours for one window, never for longer.
 * Memory is bounded: at most `maxTracked` addresses are remembered; beyond that the oldest are forgotten.
 */
import { CunzhengError } from '../errors.js';

export interface FailedAuthLimits {
  /** Failed authentications per IP within the window before it is refused (default 30). */
  authFailuresPerWindow?: number;
  /** The window, in milliseconds (default 60 s). */
  authFailureWindowMs?: number;
}

export const DEFAULT_AUTH_FAILURES = 30;
export const DEFAULT_AUTH_WINDOW_MS = 60_000;
const MAX_TRACKED = 100_000;

interface Window {
  failures: number;
  endsAt: number;
}

export class FailedAuthLimiter {
  private readonly windows = new Map<string, Window>();
  readonly max: number;
  readonly windowMs: number;
  /** Requests refused with 429 since start. */
  refused = 0;

  constructor(limits: FailedAuthLimits = {}, private readonly maxTracked = MAX_TRACKED, private readonly now: () => number = Date.now) {
    this.max = limits.authFailuresPerWindow ?? DEFAULT_AUTH_FAILURES;
    this.windowMs = limits.authFailureWindowMs ?? DEFAULT_AUTH_WINDOW_MS;
    for (const [name, v] of [['authFailuresPerWindow', this.max], ['authFailureWindowMs', this.windowMs]] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw new CunzhengError('BAD_AUTH_LIMIT', `${name} must be a positive whole number, got ${String(v)}`);
    }
  }

  /** Seconds `ip` must wait before it may try again; 0 when it may now. */
  blockedFor(ip: string): number {
    const w = this.windows.get(ip);
    if (w === undefined) return 0;
    const now = this.now();
    if (now >= w.endsAt) {
      this.windows.delete(ip);
      return 0;
    }
    if (w.failures < this.max) return 0;
    this.refused++;
    return Math.max(1, Math.ceil((w.endsAt - now) / 1000));
  }

  /** Records a failed authentication from `ip`. */
  failed(ip: string): void {
    const now = this.now();
    const w = this.windows.get(ip);
    if (w !== undefined && now < w.endsAt) {
      w.failures++;
      return;
    }
    if (w !== undefined) this.windows.delete(ip);
    if (this.windows.size >= this.maxTracked) this.forgetOldest(now);
    this.windows.set(ip, { failures: 1, endsAt: now + this.windowMs });
  }

  get tracked(): number {
    return this.windows.size;
  }

  private forgetOldest(now: number): void {
    // Insertion order is window-start order: expired windows come first.
    for (const [ip, w] of this.windows) {
      if (this.windows.size < this.maxTracked && now < w.endsAt) return;
      this.windows.delete(ip);
    }
  }
}
