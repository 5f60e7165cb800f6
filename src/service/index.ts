/** The service layer's entry points for the command line (fsck) and the server (open.ts). */
export { checkDerivedRecords, RESOLVE_LIMIT, type DerivedRecordsSummary, type ProblemReporter } from './fsck-records.js';
export { Tenants, type Tenant, type CorruptTenant } from './tenants.js';
export { Deposits, type DepositInput, type DepositResult } from './deposits.js';
