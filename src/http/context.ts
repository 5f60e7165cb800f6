import type { Tenant } from '../service/tenants.js';
import type { Role, User } from '../service/users.js';
import type { AdmissionLimits } from './admission.js';
import type { FailedAuthLimits } from './auth-limiter.js';
import type { EvidenceRouteOptions } from './routes/evidence.js';

/** Everything the routes need, built by the server (or a test) and handed to the app. */
export type { ServiceContext } from '../service/context.js';

/**
 * Admission (admission.ts): `maxInFlightBytes` (1 GiB) and `maxTenantInFlightBytes` (256 MiB) of work in
 * flight. Failed authentication (auth-limiter.ts): `authFailuresPerWindow` (30) per `authFailureWindowMs` (60 s).
 * Evidence packages being made at once (routes/evidence.ts): `evidenceBuilds` (2), `tenantEvidenceBuilds` (1).
 */
export interface AppOptions extends AdmissionLimits, FailedAuthLimits, EvidenceRouteOptions {
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
    /** The user whose key authenticated the request (tenant routes): the operator of the entries it writes. */
    user: User | undefined;
  }
  interface FastifyContextConfig {
    /** The roles allowed on a tenant route (roles.ts reads it); absent: every role. */
    roles?: readonly Role[];
  }
}
