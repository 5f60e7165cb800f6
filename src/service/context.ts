/** What the service is made of once opened on a data directory: what the HTTP routes (or a test) are handed. */
import type { Ledger } from '../ledger/index.js';
import type { Deposits } from './deposits.js';
import type { Inventory } from './inventory.js';
import type { Tenants } from './tenants.js';
import type { Users } from './users.js';
import type { AdminToken } from './admin-token.js';
import type { Anchorer } from './anchorer.js';
import type { WorkerPool } from '../workers/pool.js';
import type { Witnesser } from './witnesser.js';

export interface ServiceContext {
  ledger: Ledger;
  tenants: Tenants;
  /** The people of each tenant, their roles and keys (request.user). */
  users: Users;
  deposits: Deposits;
  /** The tenant's 商业秘密清单: documents, their states, filtered and paged. */
  inventory: Inventory;
  adminToken: AdminToken;
  /** Timestamps checkpoints at the configured TSAs (disabled when none is configured). */
  anchorer: Anchorer;
  /** The worker threads that write new deposits' replies (absent: the main thread writes them). */
  pool?: WorkerPool;
  /** Asks the policy's witnesses to cosign checkpoints (absent: no witness policy). */
  witnesser?: Witnesser;
}
