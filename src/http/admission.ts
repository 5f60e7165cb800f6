/**
 * Admission control: a bound, in bytes, on the work in flight per tenant and overall.
 *
 * Threat: one tenant (or a few) sending many maximal requests at once. 26 batches of 10,000 items took the
 * server to 3.3 GB of a 4.1 GB heap: every body is held whole, parsed, and answered with ~2 KB of receipt
 * per item. A count of requests cannot tell a batch of 10,000 from a single deposit, so each request is
 * charged in bytes of what it makes the service hold:
 *
 *   REQUEST_COST              on arrival, for every request (so the number of requests is bounded too)
 *   + Content-Length          on arrival, BEFORE the body is read (refused requests never read theirs);
 *     or the bytes as they stream, when the body is chunked
 *   + items × ITEM_COST       once a batch has been parsed (its entries, proofs and receipts)
 *
 * Uploads to /v1/documents are hashed as they stream and never held: they are charged STREAM_COST, not
 * their length. Beyond a limit the request is answered 503 + Retry-After with TENANT_BUSY (this tenant's
 * share is full) or SERVICE_BUSY (the whole service's is). A tenant with nothing in flight is admitted even
 * when one request alone exceeds its share, so a small configured limit never refuses a tenant for ever.
 * A request's charge is released once its handler is done AND its response is closed (a client that goes
 * away does not free the memory its deposit still holds).
 */
import { CunzhengError } from '../errors.js';

export const REQUEST_COST = 16 * 1024;
export const ITEM_COST = 12 * 1024;
export const STREAM_COST = 1024 * 1024;

export interface AdmissionLimits {
  /** Bytes of work in flight over all requests (default 1 GiB). */
  maxInFlightBytes?: number;
  /** Bytes of work in flight for one tenant (default 256 MiB: two maximal batches). */
  maxTenantInFlightBytes?: number;
}

export const DEFAULT_MAX_IN_FLIGHT_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_MAX_TENANT_IN_FLIGHT_BYTES = 256 * 1024 * 1024;
/** A response closed before its handler finished: the charge is dropped after this long regardless. */
const RELEASE_BACKSTOP_MS = 120_000;

export interface AdmissionStats {
  inFlightBytes: number;
  inFlightRequests: number;
  refused: { tenant: number; service: number };
}

export class Admission {
  private total = 0;
  private requests = 0;
  private readonly byTenant = new Map<string, number>();
  readonly refused = { tenant: 0, service: 0 };
  readonly maxBytes: number;
  readonly maxTenantBytes: number;

  constructor(limits: AdmissionLimits = {}) {
    this.maxBytes = limits.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES;
    this.maxTenantBytes = limits.maxTenantInFlightBytes ?? DEFAULT_MAX_TENANT_IN_FLIGHT_BYTES;
    for (const [name, v] of [['maxInFlightBytes', this.maxBytes], ['maxTenantInFlightBytes', this.maxTenantBytes]] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw new CunzhengError('BAD_ADMISSION_LIMIT', `${name} must be a positive whole number of bytes, got ${String(v)}`);
    }
  }

  get stats(): AdmissionStats {
    return { inFlightBytes: this.total, inFlightRequests: this.requests, refused: { ...this.refused } };
  }

  /** A ticket for one request of `tenant` (undefined: an admin request, bounded only overall). */
  open(tenant: string | undefined): Ticket {
    this.requests++;
    return new Ticket(this, tenant);
  }

  /** Adds `bytes` to the charge of `tenant`, or answers why not (and adds nothing). */
  charge(tenant: string | undefined, held: number, bytes: number): CunzhengError | undefined {
    // `held` is this request's own charge so far: "others" is what the rest of the tenant / service holds.
    const mine = tenant === undefined ? held : (this.byTenant.get(tenant) ?? 0);
    if (mine - held > 0 && mine + bytes > this.maxTenantBytes) {
      this.refused.tenant++;
      return new CunzhengError('TENANT_BUSY', `too much of your work is in flight (limit ${this.maxTenantBytes} bytes): retry once your earlier requests are answered`, {
        details: { retryAfterSeconds: 1 },
      });
    }
    if (this.total - held > 0 && this.total + bytes > this.maxBytes) {
      this.refused.service++;
      return new CunzhengError('SERVICE_BUSY', 'the service is at capacity: retry shortly', { details: { retryAfterSeconds: 1 } });
    }
    this.total += bytes;
    if (tenant !== undefined) this.byTenant.set(tenant, mine + bytes);
    return undefined;
  }

  /** @internal: returns a ticket's whole charge. */
  discharge(tenant: string | undefined, bytes: number): void {
    this.requests--;
    this.total -= bytes;
    if (tenant === undefined) return;
    const left = (this.byTenant.get(tenant) ?? 0) - bytes;
    if (left > 0) this.byTenant.set(tenant, left);
    else this.byTenant.delete(tenant);
  }
}

/** One request's charge: grows with `add`, released once by `release`. */
export class Ticket {
  private held = 0;
  private released = false;

  constructor(private readonly admission: Admission, readonly tenant: string | undefined) {}

  get bytes(): number {
    return this.held;
  }

  /** Throws TENANT_BUSY / SERVICE_BUSY (and charges nothing) beyond a limit. */
  add(bytes: number): void {
    if (this.released || bytes <= 0) return;
    const refused = this.admission.charge(this.tenant, this.held, bytes);
    if (refused !== undefined) throw refused;
    this.held += bytes;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.admission.discharge(this.tenant, this.held);
    this.held = 0;
  }

  /** Releases once both have happened: the handler answered (`handled`) and the response closed (`closed`). */
  releaseWhen(): { handled(): void; closed(): void } {
    let handled = false;
    let closed = false;
    let backstop: NodeJS.Timeout | undefined;
    const check = (): void => {
      if (handled && closed) {
        if (backstop !== undefined) clearTimeout(backstop);
        this.release();
      }
    };
    return {
      handled: () => {
        handled = true;
        check();
      },
      closed: () => {
        closed = true;
        if (!handled) {
          backstop = setTimeout(() => this.release(), RELEASE_BACKSTOP_MS);
          backstop.unref();
        }
        check();
      },
    };
  }
}
