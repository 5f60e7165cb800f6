import type { Ledger } from '../ledger/index.js';
import type { Deposits } from '../service/deposits.js';
import type { Tenants, Tenant } from '../service/tenants.js';
import type { AdminToken } from '../service/admin-token.js';
import type { Anchorer } from '../service/anchorer.js';

/** Everything the routes need, built by the server (or a test) and handed to the app. */
export interface ServiceContext {
  ledger: Ledger;
  tenants: Tenants;
  deposits: Deposits;
  adminToken: AdminToken;
  /** Timestamps checkpoints at the configured TSAs (disabled when none is configured). */
  anchorer: Anchorer;
}

export interface AppOptions {
  /** Largest document accepted by POST /v1/documents, in bytes (default 1 GiB). */
  maxUploadBytes?: number;
  /** Requests per minute per tenant (default 1,000,000: generous; it stops runaway clients, not customers). */
  rateLimitPerMinute?: number;
  /** Serve the OpenAPI document and its UI under /docs (default true). */
  docs?: boolean;
  /** CORS: closed by default; the public routes need none for command-line clients. */
}

declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant | undefined;
  }
}
